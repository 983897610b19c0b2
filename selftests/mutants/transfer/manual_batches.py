"""Slices shuffled mini-batches by hand (a seeded randperm) instead of using a DataLoader."""
HINT = "use_dataloader"

import torch
from torch import nn


def train_head(model, x, y, x_val, y_val, epochs=20, lr=0.01, batch_size=10, seed=0):
    model.eval()
    g = torch.Generator().manual_seed(seed)
    optimizer = make_optimizer(model, lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"loss": [], "val_accuracy": []}
    for _ in range(epochs):
        total = 0.0
        order = torch.randperm(len(y), generator=g)
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        history["loss"].append(total / len(y))
        history["val_accuracy"].append(accuracy(model, x_val, y_val))
    return history
