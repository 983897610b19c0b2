"""An nn.Sequential pipeline around the named conv and fc layers, frozen with requires_grad_(False) on the
whole conv module, the filters as blob and corner detectors, the optimiser built on model.fc.parameters()
when there is an fc, a loss averaged per image rather than per batch, and pyplot figures (Agg backend)."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_filters():
    f = torch.zeros(4, 1, 3, 3)
    f[0, 0] = torch.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]) / 9
    f[1, 0] = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -2.0]])
    f[2, 0] = torch.tensor([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0], [-2.0, 0.0, 0.0]])
    f[3, 0] = torch.tensor([[0.0, -1.0, 0.0], [-1.0, 4.0, -1.0], [0.0, -1.0, 0.0]])
    return f


class ManualCNN(nn.Module):
    def __init__(self, filters=None, n_classes=10, image_size=8):
        super().__init__()
        weights = make_filters() if filters is None else torch.as_tensor(filters)
        self.conv = nn.Conv2d(1, 4, 3, stride=1, padding=1, bias=False)
        self.conv.weight.data = weights.detach().float().reshape(4, 1, 3, 3).clone()
        self.conv.requires_grad_(False)
        self.fc = nn.Linear(4 * (image_size // 2) * (image_size // 2), n_classes)
        self.body = nn.Sequential(self.conv, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), self.fc)

    def forward(self, x):
        return self.body(x)


def filter_responses(model, images):
    return torch.relu(model.conv(images)).detach()


def make_optimizer(model, lr, momentum=0.9, weight_decay=0.0):
    params = model.fc.parameters() if isinstance(getattr(model, "fc", None), nn.Linear) else \
        filter(lambda p: p.requires_grad, model.parameters())
    return torch.optim.SGD(list(params), lr=lr, momentum=momentum, weight_decay=weight_decay)


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(-1) == y).sum().item() / y.numel()


def train_manual(model, x_train, y_train, x_test, y_test, epochs=10, lr=0.02, batch_size=32, momentum=0.9,
                 weight_decay=0.0, seed=0):
    opt = make_optimizer(model, lr, momentum, weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    history = {"loss": [], "test_accuracy": []}
    for _ in range(epochs):
        model.train()
        summed, seen = 0.0, 0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            summed += loss.item() * len(yb)
            seen += len(yb)
        history["loss"].append(summed / seen)
        history["test_accuracy"].append(evaluate(model, x_test, y_test))
    return history


def plot_history(history, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3))
    epochs = list(range(1, len(history["loss"]) + 1))
    left.plot(epochs, history["loss"], "r-")
    left.set_ylabel("loss")
    right.plot(epochs, history["test_accuracy"], "b-")
    right.set_ylabel("accuracy")
    plt.savefig(path)
    plt.close(fig)
    return str(path)


def plot_filter_effects(model, images, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    maps = filter_responses(model, images)
    fig, axes = plt.subplots(len(images), 5, figsize=(8, 1.8 * len(images)), squeeze=False)
    for b in range(len(images)):
        axes[b][0].imshow(images[b, 0].numpy(), cmap="viridis")
        for k in range(4):
            axes[b][k + 1].imshow(maps[b, k].numpy(), cmap="gray")
        for ax in axes[b]:
            ax.axis("off")
    fig.savefig(path)
    plt.close(fig)
    return str(path)
