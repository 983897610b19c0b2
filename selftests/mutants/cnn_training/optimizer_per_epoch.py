"""Builds a fresh Adam at the start of every epoch (its moment estimates restart from zero each time)."""
HINT = "optimizer_per_epoch"

import torch
from torch import nn


def fit(model, train_loader, test_loader, epochs=5, lr=1e-3, verbose=True):
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in range(epochs):
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        history["train_loss"].append(train_epoch(model, train_loader, optimizer, loss_fn))
        history["train_acc"].append(evaluate(model, train_loader, loss_fn)[1])
        test_loss, test_acc = evaluate(model, test_loader, loss_fn)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
    return history
