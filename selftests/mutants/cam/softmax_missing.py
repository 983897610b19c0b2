"""Reports the top-k logits instead of softmax probabilities."""
HINT = "softmax_missing"

import torch


def topk_predictions(model, x, labels, k=5):
    with torch.no_grad():
        logits = model(x)
    k = min(k, logits.shape[1])
    values, indices = torch.sort(logits, dim=1, descending=True, stable=True)
    return [[(labels[int(i)], float(v)) for v, i in zip(vs[:k], ix[:k])] for vs, ix in zip(values, indices)]
