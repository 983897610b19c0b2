"""Shuffles without the seeded generator: two identical calls train on different mini-batch orders."""
HINT = "not_reproducible"

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_manual(model, x_train, y_train, x_test, y_test, epochs=10, lr=0.02, batch_size=32, momentum=0.9,
                 weight_decay=0.0, seed=0):
    optimizer = make_optimizer(model, lr, momentum, weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True)
    history = {"loss": [], "test_accuracy": []}
    for _ in range(epochs):
        model.train()
        losses = []
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["loss"].append(sum(losses) / len(losses))
        history["test_accuracy"].append(evaluate(model, x_test, y_test))
    return history
