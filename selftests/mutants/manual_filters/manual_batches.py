"""Slices the shuffled tensors into mini-batches by hand instead of iterating over a DataLoader."""
HINT = "use_dataloader"

import torch
from torch import nn


def train_manual(model, x_train, y_train, x_test, y_test, epochs=10, lr=0.02, batch_size=32, momentum=0.9,
                 weight_decay=0.0, seed=0):
    optimizer = make_optimizer(model, lr, momentum, weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(seed)
    history = {"loss": [], "test_accuracy": []}
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        losses = []
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["loss"].append(sum(losses) / len(losses))
        history["test_accuracy"].append(evaluate(model, x_test, y_test))
    return history
