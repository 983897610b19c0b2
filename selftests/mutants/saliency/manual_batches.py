"""Slices shuffled mini-batches by hand instead of using TensorDataset and DataLoader."""
HINT = "use_dataloader"

import torch
from torch import nn


def train_classifier(model, X, y, epochs=10, batch_size=32, lr=0.02):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            loss_fn(model(X[idx]), y[idx]).backward()
            optimizer.step()
    with torch.no_grad():
        return float((model(X).argmax(1) == y).float().mean())
