"""predict_review returns the probability of class 0 (negative) instead of class 1 (positive)."""
HINT = "class_zero"

import torch


def predict_review(model, text, vocab):
    ids, lengths = encode([text], vocab)  # noqa: F821
    model.eval()
    with torch.no_grad():
        scores = model(ids, lengths)
    return float(torch.softmax(scores, dim=1)[0, 0])
