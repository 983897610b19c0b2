"""Applies a softmax to the scores before the cross-entropy loss (which applies its own log-softmax)."""
HINT = "softmax_before_loss"

import torch


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, count = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(torch.softmax(model(images), dim=1), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count
