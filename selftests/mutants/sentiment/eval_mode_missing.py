"""accuracy runs the model without model.eval(): with dropout still on, the accuracy is that of a noisy model."""
HINT = "eval_mode"

import torch


def accuracy(model, ids, lengths, labels, batch_size=256):
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), batch_size):
            scores = model(ids[start:start + batch_size], lengths[start:start + batch_size])
            correct += int((scores.argmax(dim=1) == labels[start:start + batch_size]).sum())
    return correct / len(labels)
