"""train_vit feeds softmax probabilities to nn.CrossEntropyLoss."""
HINT = "softmax_before_ce"

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_vit(model, x_train, y_train, x_val, y_val, epochs=10, batch_size=32, lr=1e-3, seed=0):
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(torch.softmax(model(xb), dim=1), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            count += len(yb)
        val_loss, val_accuracy = evaluate(model, x_val, y_val)
        history["train_loss"].append(total / count)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
    return history
