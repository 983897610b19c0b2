"""Builds Adam with its default learning rate instead of the lr passed in."""
HINT = "lr_ignored"

import torch
from torch import nn


def fit(model, train_loader, test_loader, epochs=5, lr=1e-3, verbose=True):
    optimizer = torch.optim.Adam(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(epochs):
        train_loss = train_epoch(model, train_loader, optimizer, loss_fn)
        _, train_acc = evaluate(model, train_loader, loss_fn)
        test_loss, test_acc = evaluate(model, test_loader, loss_fn)
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc)):
            history[key].append(value)
        if verbose:
            print(f"epoch {epoch + 1}: test acc {test_acc:.4f}")
    return history
