"""Evaluates in eval mode but without torch.no_grad(): every forward pass builds a graph for nothing."""
HINT = "no_grad"


def evaluate(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    for images, labels in loader:
        scores = model(images)
        total += loss_fn(scores, labels).item() * len(labels)
        correct += int((scores.argmax(dim=1) == labels).sum())
        count += len(labels)
    return total / count, correct / count
