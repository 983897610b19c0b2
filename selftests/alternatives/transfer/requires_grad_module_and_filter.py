"""Freezing with module.requires_grad_(False), the head found by walking attr's parts (indexing an nn.Sequential),
the optimiser over filter(lambda p: p.requires_grad, ...), evaluation under torch.inference_mode, training with
model.train() and every BatchNorm/Dropout put back in eval mode, log_softmax + nll_loss, pyplot for the plot."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def freeze(module):
    return module.requires_grad_(False)


def replace_head(model, n_classes, attr="fc"):
    *path, last = attr.split(".")
    parent = model
    for part in path:
        parent = parent[int(part)] if isinstance(parent, nn.Sequential) and part.isdigit() else getattr(parent, part)
    if isinstance(parent, nn.Sequential) and last.isdigit():
        old = parent[int(last)]
        head = nn.Linear(old.in_features, n_classes, bias=True)
        parent[int(last)] = head
    else:
        old = getattr(parent, last)
        head = nn.Linear(old.in_features, n_classes, bias=True)
        setattr(parent, last, head)
    return head


def load_alexnet(weights="DEFAULT", n_classes=2):
    from torchvision import models

    model = freeze(models.alexnet(weights=weights))
    replace_head(model, n_classes, "classifier.6")
    return model


def make_optimizer(model, lr):
    return torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=lr)


def accuracy(model, x, y, batch_size=256):
    model.eval()
    with torch.inference_mode():
        hits = [(model(xb).argmax(1) == yb).sum() for xb, yb in zip(x.split(batch_size), y.split(batch_size))]
    return float(torch.stack(hits).sum()) / len(y)


def train_head(model, x, y, x_val, y_val, epochs=20, lr=0.01, batch_size=10, seed=0):
    gen = torch.Generator()
    gen.manual_seed(seed)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True, generator=gen)
    optimizer = make_optimizer(model, lr)
    history = {"loss": [], "val_accuracy": []}
    for _ in range(epochs):
        model.train()
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.Dropout)):
                m.eval()
        running = torch.zeros(())
        for xb, yb in loader:
            optimizer.zero_grad(set_to_none=False)
            loss = F.nll_loss(F.log_softmax(model(xb), dim=1), yb)
            loss.backward()
            optimizer.step()
            running += loss.detach() * yb.numel()
        history["loss"].append(running.item() / y.numel())
        history["val_accuracy"].append(accuracy(model, x_val, y_val))
    return history


def plot_history(history, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, figsize=(5, 6))
    epochs = range(1, len(history["loss"]) + 1)
    axes[0].plot(epochs, history["loss"], "r-")
    axes[0].set_title("loss")
    axes[1].plot(epochs, history["val_accuracy"], "b--")
    axes[1].set_title("validation accuracy")
    fig.savefig(path)
    plt.close(fig)
    return str(path)
