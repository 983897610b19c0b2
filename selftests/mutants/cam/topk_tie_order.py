"""Uses torch.topk, whose order among exactly equal probabilities is unspecified."""
HINT = "tie_order"

import torch


def topk_predictions(model, x, labels, k=5):
    with torch.no_grad():
        probs = torch.softmax(model(x), dim=1)
    values, indices = torch.topk(probs, min(k, probs.shape[1]), dim=1)
    return [[(labels[int(i)], float(v)) for v, i in zip(vs, ix)] for vs, ix in zip(values, indices)]
