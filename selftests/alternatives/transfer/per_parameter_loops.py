"""Freezing parameter by parameter through named_parameters, the head replaced through the parent found with
get_submodule and Module.add_module, the optimiser built from a de-duplicated list, accuracy as a mean of
booleans over torch.split chunks, the loss summed per image, and a one-axis plot with both curves."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def freeze(module):
    for _, parameter in module.named_parameters():
        parameter.requires_grad = False
    return module


def replace_head(model, n_classes, attr="fc"):
    if "." in attr:
        parent_name, name = attr.rsplit(".", 1)
        parent = model.get_submodule(parent_name)
    else:
        parent, name = model, attr
    in_features = parent.get_submodule(name).in_features
    head = nn.Linear(in_features=in_features, out_features=n_classes)
    parent.add_module(name, head)
    return head


def load_alexnet(weights="DEFAULT", n_classes=2):
    import torchvision.models

    net = torchvision.models.alexnet(weights=weights)
    for p in net.parameters():
        p.requires_grad = False
    net.classifier[6] = nn.Linear(net.classifier[6].in_features, n_classes)
    return net


def make_optimizer(model, lr):
    params, seen = [], set()
    for p in model.parameters():
        if p.requires_grad and id(p) not in seen:
            seen.add(id(p))
            params.append(p)
    return torch.optim.Adam(params, lr)


def accuracy(model, x, y, batch_size=256):
    model.eval()
    correct = []
    with torch.no_grad():
        for xb, yb in zip(torch.split(x, batch_size), torch.split(y, batch_size)):
            correct.append(model(xb).argmax(dim=-1).eq(yb))
    return torch.cat(correct).float().mean().item()


def train_head(model, x, y, x_val, y_val, epochs=20, lr=0.01, batch_size=10, seed=0):
    model.eval()
    optimizer = make_optimizer(model, lr)
    criterion = nn.CrossEntropyLoss(reduction="mean")
    loader = DataLoader(TensorDataset(x, y), batch_size, True, generator=torch.Generator().manual_seed(seed))
    losses, accuracies = [], []
    for epoch in range(epochs):
        summed, count = 0.0, 0
        for images, labels in loader:
            optimizer.zero_grad()
            batch_loss = criterion(model(images), labels)
            batch_loss.backward()
            optimizer.step()
            summed += float(batch_loss.detach()) * labels.shape[0]
            count += labels.shape[0]
        losses.append(summed / count)
        accuracies.append(float(accuracy(model, x_val, y_val)))
    return {"val_accuracy": accuracies, "loss": losses}


def plot_history(history, path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(range(1, len(history["loss"]) + 1), history["loss"], label="training loss")
    ax.plot(range(1, len(history["val_accuracy"]) + 1), history["val_accuracy"], label="validation accuracy")
    ax.legend()
    fig.savefig(path)
    return str(path)
