"""Takes the softmax over the batch axis (dim=0) instead of over the classes."""
HINT = "softmax_wrong_dim"

import torch


def topk_predictions(model, x, labels, k=5):
    with torch.no_grad():
        probs = torch.softmax(model(x), dim=0)
    k = min(k, probs.shape[1])
    values, indices = torch.sort(probs, dim=1, descending=True, stable=True)
    return [[(labels[int(i)], float(v)) for v, i in zip(vs[:k], ix[:k])] for vs, ix in zip(values, indices)]
