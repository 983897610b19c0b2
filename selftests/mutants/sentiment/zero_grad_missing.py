"""train_sentiment never zeroes the gradients: every step uses the sum of all earlier batches' gradients."""
HINT = "zero_grad_missing"

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_sentiment(model, ids, lengths, labels, epochs=5, lr=1e-2, batch_size=16, seed=0):
    loader = DataLoader(TensorDataset(ids, lengths, labels), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"loss": [], "accuracy": []}
    for _ in range(epochs):
        model.train()
        total, correct, seen = 0.0, 0, 0
        for xb, lb, yb in loader:
            scores = model(xb, lb)
            loss = loss_fn(scores, yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            correct += int((scores.argmax(1) == yb).sum())
            seen += len(yb)
        history["loss"].append(total / seen)
        history["accuracy"].append(correct / seen)
    return history
