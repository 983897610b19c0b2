"""Evaluates in eval mode but without torch.no_grad(): every evaluation builds a graph it never uses."""
HINT = "no_grad"


def evaluate(model, x, y):
    model.eval()
    predicted = model(x).argmax(dim=1)
    return float((predicted == y).float().mean())
