"""Computes the accuracy without switching the model to eval mode: dropout stays active during evaluation."""
HINT = "eval_mode"

import torch


def evaluate(model, x, y):
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    return float((predicted == y).float().mean())
