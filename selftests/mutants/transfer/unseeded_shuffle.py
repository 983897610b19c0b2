"""Shuffles with a DataLoader that has no generator: the order follows the global RNG, not seed."""
HINT = "seed_ignored"

from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_head(model, x, y, x_val, y_val, epochs=20, lr=0.01, batch_size=10, seed=0):
    model.eval()
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)
    optimizer = make_optimizer(model, lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"loss": [], "val_accuracy": []}
    for _ in range(epochs):
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        history["loss"].append(total / len(y))
        history["val_accuracy"].append(accuracy(model, x_val, y_val))
    return history
