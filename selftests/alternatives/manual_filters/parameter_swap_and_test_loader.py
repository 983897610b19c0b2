"""The filters installed as a new nn.Parameter(requires_grad=False) in place of the conv's weight, diagonal
line detectors and a centre-surround filter, F.cross_entropy instead of the module, model.zero_grad(), the test
accuracy computed inline over a non-shuffling DataLoader of the test set, and a figure built with
plt.figure/add_subplot."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_filters():
    line_a = torch.eye(3) * 2 - 2 / 3
    line_b = torch.flip(line_a, dims=[1])
    centre = -torch.ones(3, 3) / 8
    centre[1, 1] = 1
    top = torch.tensor([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
    return torch.stack([line_a, line_b, centre, top])[:, None].float()


class ManualCNN(nn.Module):
    def __init__(self, filters=None, n_classes=10, image_size=8):
        super().__init__()
        if filters is None:
            filters = make_filters()
        self.conv = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.conv.weight = nn.Parameter(torch.as_tensor(filters, dtype=torch.float32).reshape(4, 1, 3, 3).clone(),
                                        requires_grad=False)
        self.pool = nn.MaxPool2d(kernel_size=2)
        self.fc = nn.Linear(4 * (image_size // 2) ** 2, n_classes)

    def forward(self, x):
        h = self.pool(F.relu(self.conv(x)))
        return self.fc(h.flatten(start_dim=1))


def filter_responses(model, images):
    with torch.no_grad():
        maps = model.conv(images)
        return maps.clamp(min=0)


def evaluate(model, x, y):
    model.eval()
    hits = 0
    with torch.no_grad():
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=64):
            hits += (model(xb).argmax(1) == yb).sum().item()
    return hits / len(y)


def train_manual(model, x_train, y_train, x_test, y_test, epochs=10, lr=0.02, batch_size=32, momentum=0.9,
                 weight_decay=0.0, seed=0):
    optimizer = make_optimizer(model, lr, momentum=momentum, weight_decay=weight_decay)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=100, shuffle=False)
    history = {"loss": [], "test_accuracy": []}
    for _ in range(epochs):
        model.train()
        batch_losses = []
        for xb, yb in loader:
            model.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            batch_losses.append(float(loss.detach()))
        history["loss"].append(float(torch.tensor(batch_losses, dtype=torch.float64).mean()))
        model.eval()
        right = 0
        with torch.no_grad():
            for xb, yb in test_loader:
                right += int((model(xb).argmax(dim=1) == yb).sum())
        history["test_accuracy"].append(right / len(y_test))
    return history


def plot_history(history, path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig = plt.figure(figsize=(6, 6))
    n = len(history["loss"])
    top = fig.add_subplot(2, 1, 1)
    top.plot([e + 1 for e in range(n)], history["loss"])
    top.set_title("loss")
    bottom = fig.add_subplot(2, 1, 2)
    bottom.plot([e + 1 for e in range(n)], history["test_accuracy"], color="green")
    bottom.set_title("test accuracy")
    fig.savefig(path, dpi=70)
    plt.close(fig)
    return str(path)
