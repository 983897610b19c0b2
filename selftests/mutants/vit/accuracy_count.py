"""evaluate returns the number of correct examples as the accuracy, not the fraction."""
HINT = "accuracy_as_count"

import torch
from torch import nn


def evaluate(model, x, y, batch_size=256):
    model.eval()
    total_loss, correct = 0.0, 0
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    with torch.no_grad():
        for start in range(0, len(y), batch_size):
            logits = model(x[start:start + batch_size])
            total_loss += float(loss_fn(logits, y[start:start + batch_size]))
            correct += int((logits.argmax(dim=1) == y[start:start + batch_size]).sum())
    return total_loss / len(y), float(correct)
