"""Explicit layers with the functional ReLU and pooling, numpy's big-endian dtype for the IDX header, a
RandomSampler with its own generator, zero_grad(set_to_none=False) after each step, inference_mode for evaluation,
and pyplot (Agg) for the figure."""
import gzip
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler, TensorDataset


class CNN(nn.Module):
    def __init__(self, in_channels=1, n_classes=10, image_size=8, channels=(16, 32), hidden=64, dropout=0.25):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(in_channels, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        side = image_size // 4
        self.fc1 = nn.Linear(c2 * side * side, hidden)
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, start_dim=1)
        return self.fc2(self.drop(F.relu(self.fc1(x))))


def answer_parameter_count():
    return sum(p.numel() for p in CNN().parameters())


def load_mnist_idx(images_path, labels_path):
    def read(path):
        path = Path(path)
        data = path.read_bytes()
        return gzip.decompress(data) if str(path).endswith(".gz") else data

    img, lab = read(images_path), read(labels_path)
    if len(img) < 16:
        raise ValueError(f"{images_path}: too short for an IDX images header")
    if len(lab) < 8:
        raise ValueError(f"{labels_path}: too short for an IDX labels header")
    magic, n, rows, cols = (int(v) for v in np.frombuffer(img, dtype=">u4", count=4))
    if magic != 2051:
        raise ValueError(f"{images_path} is not an IDX images file (magic {magic})")
    magic, n_labels = (int(v) for v in np.frombuffer(lab, dtype=">u4", count=2))
    if magic != 2049:
        raise ValueError(f"{labels_path} is not an IDX labels file (magic {magic})")
    if len(img) - 16 != n * rows * cols or len(lab) - 8 != n_labels or n != n_labels:
        raise ValueError(f"{images_path} / {labels_path}: sizes do not match the headers")
    images = torch.from_numpy(np.frombuffer(img, dtype=np.uint8, offset=16).reshape(n, rows, cols).copy())
    labels = torch.from_numpy(np.frombuffer(lab, dtype=np.uint8, offset=8).astype(np.int64))
    return images, labels


def make_loaders(x_train, y_train, x_test, y_test, batch_size=64, seed=0):
    train_set, test_set = TensorDataset(x_train, y_train), TensorDataset(x_test, y_test)
    sampler = RandomSampler(train_set, generator=torch.Generator().manual_seed(seed))
    return (DataLoader(train_set, batch_size=batch_size, sampler=sampler),
            DataLoader(test_set, batch_size=batch_size, sampler=SequentialSampler(test_set)))


def train_epoch(model, loader, optimizer, loss_fn):
    model.train(True)
    optimizer.zero_grad(set_to_none=False)
    losses, sizes = [], []
    for images, labels in loader:
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=False)
        losses.append(loss.detach())
        sizes.append(labels.numel())
    sizes = torch.tensor(sizes, dtype=torch.float64)
    return float((torch.stack(losses).double() * sizes).sum() / sizes.sum())


def evaluate(model, loader, loss_fn):
    model.train(False)
    total, correct, count = 0.0, 0, 0
    with torch.inference_mode():
        for images, labels in loader:
            scores = model(images)
            total += float(loss_fn(scores, labels)) * labels.numel()
            correct += (scores.argmax(1) == labels).sum().item()
            count += labels.numel()
    return total / count, correct / count


def fit(model, train_loader, test_loader, epochs=5, lr=1e-3, verbose=True):
    optimizer = torch.optim.Adam(params=model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    history = {key: [] for key in ("train_loss", "train_acc", "test_loss", "test_acc")}
    for epoch in range(1, epochs + 1):
        history["train_loss"].append(train_epoch(model, train_loader, optimizer, criterion))
        history["train_acc"].append(evaluate(model, train_loader, criterion)[1])
        test_loss, test_acc = evaluate(model, test_loader, criterion)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        if verbose:
            print(f"[{epoch}/{epochs}] held-out accuracy {test_acc:.2%}")
    return history


def plot_history(history, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    left.plot(epochs, history["train_loss"], label="train")
    left.plot(epochs, history["test_loss"], label="test")
    left.set_ylabel("cross-entropy")
    left.legend()
    right.plot(epochs, np.array(history["train_acc"]), label="train")
    right.plot(epochs, np.array(history["test_acc"]), label="test")
    right.set_ylabel("accuracy")
    right.legend()
    plt.savefig(path)
    plt.close(fig)
    return str(path)
