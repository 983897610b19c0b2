"""Prints the loop variable of range(epochs) as the epoch's number, so the epochs are numbered 0 .. epochs - 1."""
HINT = "epoch_from_zero"

import torch
from torch import nn


def fit(model, train_loader, test_loader, epochs=5, lr=1e-3, verbose=True):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(epochs):
        train_loss = train_epoch(model, train_loader, optimizer, loss_fn)
        _, train_acc = evaluate(model, train_loader, loss_fn)
        test_loss, test_acc = evaluate(model, test_loader, loss_fn)
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc)):
            history[key].append(value)
        if verbose:
            print(f"epoch {epoch}: train loss {train_loss:.4f}, train acc {train_acc:.4f}, "
                  f"test loss {test_loss:.4f}, test acc {test_acc:.4f}")
    return history
