"""Ignores the batch_size and lr arguments: a DataLoader of 32 points and Adam's default learning rate."""
HINT = "hyperparameters_ignored"

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_classifier(model, X, y, epochs=10, batch_size=32, lr=0.02):
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)        # bug: batch_size ignored
    optimizer = torch.optim.Adam(model.parameters())                              # bug: lr ignored
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    with torch.no_grad():
        return float((model(X).argmax(1) == y).float().mean())
