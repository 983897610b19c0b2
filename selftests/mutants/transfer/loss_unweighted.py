"""Reports the plain mean of the mini-batch losses per epoch, although the last mini-batch is smaller."""
HINT = "loss_unweighted"

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_head(model, x, y, x_val, y_val, epochs=20, lr=0.01, batch_size=10, seed=0):
    model.eval()
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    optimizer = make_optimizer(model, lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"loss": [], "val_accuracy": []}
    for _ in range(epochs):
        losses = []
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history["loss"].append(sum(losses) / len(losses))
        history["val_accuracy"].append(accuracy(model, x_val, y_val))
    return history
