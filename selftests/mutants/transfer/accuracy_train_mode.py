"""Evaluates without model.eval(): a model handed over in train mode is evaluated with its Dropout active."""
HINT = "eval_mode_missing"

import torch


def accuracy(model, x, y, batch_size=256):
    correct = 0
    with torch.no_grad():
        for start in range(0, len(y), batch_size):
            scores = model(x[start:start + batch_size])
            correct += int((scores.argmax(dim=1) == y[start:start + batch_size]).sum())
    return correct / len(y)
