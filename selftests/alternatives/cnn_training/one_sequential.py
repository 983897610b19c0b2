"""One nn.Sequential holding the whole network (with nn.Flatten), model.zero_grad() before each backward, the
evaluation loss computed once on the concatenated scores of all batches, and a history built from tuples."""
import torch
from torch import nn


class CNN(nn.Module):
    def __init__(self, in_channels=1, n_classes=10, image_size=8, channels=(16, 32), hidden=64, dropout=0.25):
        super().__init__()
        s = image_size // 2 // 2
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, channels[0], (3, 3), padding=(1, 1)), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(channels[0], channels[1], (3, 3), padding=(1, 1)), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.Linear(channels[1] * s * s, hidden), nn.ReLU(inplace=True), nn.Dropout(p=dropout),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.net(x)


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    weighted, n = 0.0, 0
    for batch in loader:
        images, labels = batch
        model.zero_grad()
        scores = model(images)
        loss = loss_fn(scores, labels)
        loss.backward()
        optimizer.step()
        weighted += len(images) * loss.item()
        n += len(images)
    return weighted / n


def evaluate(model, loader, loss_fn):
    model.eval()
    with torch.no_grad():
        pairs = [(model(images), labels) for images, labels in loader]
        scores = torch.cat([s for s, _ in pairs])
        labels = torch.cat([l for _, l in pairs])
        loss = loss_fn(scores, labels).item()
    return loss, (scores.argmax(dim=1) == labels).double().mean().item()


def fit(model, train_loader, test_loader, epochs=5, lr=1e-3, verbose=True):
    optimizer = torch.optim.Adam(model.parameters(), lr)
    loss_fn = nn.CrossEntropyLoss()
    rows = []
    for epoch in range(epochs):
        train_loss = train_epoch(model, train_loader, optimizer, loss_fn)
        train_acc = evaluate(model, train_loader, loss_fn)[1]
        rows.append((train_loss, train_acc) + evaluate(model, test_loader, loss_fn))
        if verbose:
            print("epoch", epoch + 1, "loss %.3f acc %.3f" % (rows[-1][2], rows[-1][3]))
    return dict(zip(("train_loss", "train_acc", "test_loss", "test_acc"), (list(col) for col in zip(*rows))))
