"""Evaluates with gradients enabled (detaching the scores afterwards instead of using torch.no_grad())."""
HINT = "no_grad_missing"


def accuracy(model, x, y, batch_size=256):
    model.eval()
    correct = 0
    for start in range(0, len(y), batch_size):
        scores = model(x[start:start + batch_size]).detach()
        correct += int((scores.argmax(dim=1) == y[start:start + batch_size]).sum())
    return correct / len(y)
