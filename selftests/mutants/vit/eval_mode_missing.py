"""evaluate computes under no_grad but never calls model.eval(): dropout stays active."""
HINT = "eval_mode_missing"

import torch
from torch import nn


def evaluate(model, x, y, batch_size=256):
    total_loss, correct = 0.0, 0
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    with torch.no_grad():
        for start in range(0, len(y), batch_size):
            logits = model(x[start:start + batch_size])
            total_loss += float(loss_fn(logits, y[start:start + batch_size]))
            correct += int((logits.argmax(dim=1) == y[start:start + batch_size]).sum())
    return total_loss / len(y), correct / len(y)
