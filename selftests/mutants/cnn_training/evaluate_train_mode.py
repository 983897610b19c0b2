"""Evaluates without model.eval(): a model that comes from training keeps its dropout active."""
HINT = "eval_mode"

import torch


def evaluate(model, loader, loss_fn):
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            scores = model(images)
            total += loss_fn(scores, labels).item() * len(labels)
            correct += int((scores.argmax(dim=1) == labels).sum())
            count += len(labels)
    return total / count, correct / count
