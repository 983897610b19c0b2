"""evaluate switches to eval mode but computes with gradients enabled (no torch.no_grad())."""
HINT = "no_grad_missing"

from torch import nn


def evaluate(model, x, y, batch_size=256):
    model.eval()
    total_loss, correct = 0.0, 0
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    for start in range(0, len(y), batch_size):
        logits = model(x[start:start + batch_size])
        total_loss += loss_fn(logits, y[start:start + batch_size]).item()
        correct += int((logits.argmax(dim=1) == y[start:start + batch_size]).sum())
    return total_loss / len(y), correct / len(y)
