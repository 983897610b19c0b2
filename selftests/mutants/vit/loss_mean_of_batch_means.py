"""evaluate averages the per-batch mean losses, so the smaller last batch counts as much as a full one."""
HINT = "loss_mean_of_batches"

import torch
from torch import nn


def evaluate(model, x, y, batch_size=256):
    model.eval()
    losses, correct = [], 0
    loss_fn = nn.CrossEntropyLoss()
    with torch.no_grad():
        for start in range(0, len(y), batch_size):
            logits = model(x[start:start + batch_size])
            losses.append(float(loss_fn(logits, y[start:start + batch_size])))
            correct += int((logits.argmax(dim=1) == y[start:start + batch_size]).sum())
    return sum(losses) / len(losses), correct / len(y)
