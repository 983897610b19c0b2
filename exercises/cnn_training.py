"""Training a small CNN on handwritten digits: the model, the data pipeline, the training loop, the curves.

The problem set trains a CNN on MNIST (28x28 digits, 60,000 training images) to at least 96% test
accuracy in 5 epochs. You write every piece of that pipeline here. The autograder cannot download
MNIST, so it grades the same code on scikit-learn's 8x8 digits (1,348 training and 449 held-out
images, already scaled to [0, 1]); ``load_mnist_idx`` is the real MNIST reader and is graded on
small files in the MNIST format that the grader writes.

Conventions (fixed for every function below):

* Images are batch-first, channels-first float32 tensors ``(N, C, H, W)`` with values in [0, 1];
  labels are int64 class indices ``(N,)`` with values 0 .. n_classes - 1 (never one-hot).
* A model maps ``(N, C, H, W)`` to raw class scores ``(N, n_classes)`` (logits: no softmax; the
  cross-entropy loss applies the log-softmax itself).
* ``loss_fn`` is a loss such as ``nn.CrossEntropyLoss()`` with the default ``reduction="mean"``:
  ``loss_fn(scores, labels)`` is the mean loss of the batch. Call it exactly like that, with the
  model's raw scores and the int64 labels as the loader gives them.
* A "mean loss over a loader" is the mean per-example loss over all its N examples: the sum of
  ``loss_fn(scores, labels).item() * len(labels)`` over the batches, divided by N (a plain mean of
  the batch losses is wrong when the last batch is smaller). "Accuracy" is the fraction of the N
  examples whose largest score is at their label, a Python float in [0, 1].

Graded automatically:

* ``CNN``: the output shape for other channels, classes, image sizes and widths; the exact number
  of parameters; the forward pass (compared with the grader's own computation using your model's
  weights, in eval mode); ``answer_parameter_count`` (against a hashed key).
* ``load_mnist_idx``: on small IDX files (plain and gzip-compressed) that the grader writes:
  values, shapes, dtypes, and the ValueErrors asked for.
* ``make_loaders``: batch sizes, every example once per epoch, a shuffled training order that the
  seed (and only the seed) decides, a test loader in the original order.
* ``train_epoch`` and ``evaluate``: on a small model that the grader builds (with dropout, so
  that train and eval mode give different outputs) and instruments: for every batch a forward
  pass in train mode, then gradients computed from zero, then one optimiser step, in that
  order; the loss passed raw scores and int64 labels; the values returned; eval mode and no
  gradient tracking in ``evaluate``; the mode each leaves the model in.
* ``fit``: the history it returns (its keys, one value per epoch, the final accuracies and test
  loss equal to the trained model's), one Adam optimiser with the learning rate given, one step
  per batch; with ``verbose=True``, a line printed after each epoch that gives its number.
* One end-to-end run: ``fit(CNN(), ...)`` on the 8x8 digits for a few epochs with a fixed seed,
  under a time limit; the held-out accuracy must reach a threshold (90%). The lines your ``fit``
  prints show in the test's output; ``run_digits()`` below repeats the same run on your machine.
* ``plot_history``: a PNG that opens, with a loss panel (train and test curves) and an accuracy
  panel (train and test curves) drawing the history's values.

Graded by hand (write it up as the problem set asks):

* Train on the real MNIST with ``python exercises/cnn_training.py --mnist DIR`` (the four
  ``*-ubyte.gz`` files from the MNIST site in DIR) for 5 epochs; report the test accuracy (at
  least 96%) and attach the loss and accuracy plots.
* One or two sentences on the curves: does the test loss follow the training loss, and is there
  a sign of over- or underfitting after 5 epochs?
"""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


# ============================================================================= the model
class CNN(nn.Module):
    """A small CNN for square images of ``image_size`` x ``image_size`` pixels.

    Architecture (in this order; register the four layers with weights in this order too, so that
    ``model.parameters()`` lists conv1's weight and bias, then conv2's, then fc1's, then fc2's):

    1. conv1: ``nn.Conv2d(in_channels, channels[0], kernel_size=3, padding=1)``, ReLU,
       ``nn.MaxPool2d(2)`` (halves the side, rounding down)
    2. conv2: ``nn.Conv2d(channels[0], channels[1], kernel_size=3, padding=1)``, ReLU,
       ``nn.MaxPool2d(2)``
    3. flatten with ``x.flatten(1)`` (channel-major: the order of ``(C, H, W)``)
    4. fc1: ``nn.Linear(channels[1] * s * s, hidden)`` with ``s = (image_size // 2) // 2``, ReLU,
       ``nn.Dropout(dropout)``
    5. fc2: ``nn.Linear(hidden, n_classes)``: the raw class scores (no softmax)

    Keep PyTorch's default initialisation. ``image_size`` is at least 4.
    """

    def __init__(self, in_channels: int = 1, n_classes: int = 10, image_size: int = 8,
                 channels: tuple[int, int] = (16, 32), hidden: int = 64, dropout: float = 0.25):
        super().__init__()
        raise NotImplementedError("__init__: replace this line with your solution (the docstring above says what to return)")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores of the images ``x`` of shape (N, in_channels, image_size, image_size): shape (N, n_classes)."""
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


def answer_parameter_count() -> int:
    """By hand: how many trainable parameters (weights and biases) does ``CNN()`` have, with the
    defaults (1 channel in, 10 classes, 8x8 images, channels (16, 32), hidden 64)? An int."""
    raise NotImplementedError("answer_parameter_count: replace this line with your solution (the docstring above says what to return)")


# ============================================================================= the data
def load_mnist_idx(images_path: str | Path, labels_path: str | Path) -> tuple[torch.Tensor, torch.Tensor]:
    """Read MNIST's images and labels from its two IDX files (plain, or gzip-compressed when the name ends in ".gz").

    The IDX format: every integer in the header is a 4-byte big-endian unsigned int.

    * Images file: magic number 2051, then the number of images N, the number of rows R, the number
      of columns C; then N * R * C unsigned bytes (0 = background, 255 = ink), image by image, row
      by row.
    * Labels file: magic number 2049, then N; then N unsigned bytes (the digits 0 .. 9).

    Raise ``ValueError`` (with a message that names the file) when a file's magic number is not the
    one its kind needs, when a file holds fewer (or more) bytes than its header announces, or when the
    two files hold different numbers of items.

    Returns:
    - images: uint8 tensor of shape (N, R, C), the raw bytes (not scaled)
    - labels: int64 tensor of shape (N,)
    """
    raise NotImplementedError("load_mnist_idx: replace this line with your solution (the docstring above says what to return)")


def make_loaders(x_train: torch.Tensor, y_train: torch.Tensor, x_test: torch.Tensor, y_test: torch.Tensor,
                 batch_size: int = 64, seed: int = 0) -> tuple[DataLoader, DataLoader]:
    """DataLoaders over ``TensorDataset``s of the two splits.

    - training loader: ``batch_size`` examples per batch (the last batch may be smaller: keep it),
      shuffled anew every epoch by a ``torch.Generator`` seeded with ``seed``
      (``torch.Generator().manual_seed(seed)``), so that the sequence of epochs' orders depends on
      ``seed`` alone, never on the global random state
    - test loader: the same ``batch_size``, not shuffled (the examples in their given order)

    Returns:
    - ``(train_loader, test_loader)``, both ``torch.utils.data.DataLoader``s yielding ``(images, labels)``
    """
    raise NotImplementedError("make_loaders: replace this line with your solution (the docstring above says what to return)")


# ============================================================================= training and evaluation
def train_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer, loss_fn) -> float:
    """One pass over ``loader``, one optimiser step per batch.

    Put the model in training mode (``model.train()``: dropout active) first. For every batch
    ``(images, labels)``: compute the raw scores (one forward pass), the loss ``loss_fn(scores, labels)``, and the
    gradients of that loss alone (the gradients left from the previous batch must not add up:
    zero them before ``backward()``), then take one ``optimizer.step()``. The model stays in
    training mode afterwards.

    Returns:
    - the mean training loss over the epoch, as a Python float: the batch losses (each as it was
      computed, before that batch's step) weighted by their batch sizes, divided by the number of
      examples
    """
    raise NotImplementedError("train_epoch: replace this line with your solution (the docstring above says what to return)")


def evaluate(model: nn.Module, loader, loss_fn) -> tuple[float, float]:
    """The mean loss and the accuracy of ``model`` over ``loader``, without training.

    Put the model in evaluation mode (``model.eval()``: dropout off) and compute the scores without
    gradient tracking (``with torch.no_grad():``); do not change any parameter. The model stays in
    evaluation mode afterwards (whatever mode it was in before).

    Returns:
    - ``(mean_loss, accuracy)``, two Python floats (see the conventions)
    """
    raise NotImplementedError("evaluate: replace this line with your solution (the docstring above says what to return)")


def fit(model: nn.Module, train_loader, test_loader, epochs: int = 5, lr: float = 1e-3,
        verbose: bool = True) -> dict[str, list[float]]:
    """Train ``model`` for ``epochs`` epochs with ``torch.optim.Adam(model.parameters(), lr=lr)`` and
    ``nn.CrossEntropyLoss()``; build the optimiser once, before the first epoch.

    After each epoch's ``train_epoch``, evaluate the model on the training loader (for the training
    accuracy) and on the test loader. With ``verbose``, print one line per epoch, after that epoch's
    evaluation, with the epoch's number (counted from 1: ``1`` .. ``epochs``) and the four values.

    Returns:
    - the history: a dict with the keys ``"train_loss"`` (what ``train_epoch`` returned),
      ``"train_acc"``, ``"test_loss"`` and ``"test_acc"`` (from ``evaluate``), each a list of
      ``epochs`` Python floats, one per epoch in order
    """
    raise NotImplementedError("fit: replace this line with your solution (the docstring above says what to return)")


def plot_history(history: dict[str, list[float]], path: str | Path) -> str:
    """Write a PNG with two panels side by side: the losses (``train_loss`` and ``test_loss``) and
    the accuracies (``train_acc`` and ``test_acc``), each curve against the epoch number.

    Draw each curve as a line (``ax.plot``), one axes per panel, with a legend; titles and axis
    labels are up to you. Use matplotlib without a window (``matplotlib.figure.Figure`` with
    ``FigureCanvasAgg``, or ``matplotlib.use("Agg")`` before importing pyplot) and save with the
    figure's ``savefig``.

    Returns:
    - ``str(path)``
    """
    raise NotImplementedError("plot_history: replace this line with your solution (the docstring above says what to return)")


# ============================================================================= given code (not graded)
def run_digits(epochs: int = 8, batch_size: int = 32, lr: float = 3e-3, seed: int = 0) -> dict[str, list[float]]:
    """Train ``CNN()`` on scikit-learn's 8x8 digits as the grader's end-to-end test does (the same split of
    1,348 training and 449 held-out images, the same seeds; needs scikit-learn)."""
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(y)))
    n_test = int(round(len(y) * 0.25))
    test, train = order[:n_test], order[n_test:]
    train_loader, test_loader = make_loaders(x[train], y[train], x[test], y[test], batch_size, seed)
    torch.manual_seed(seed)
    return fit(CNN(), train_loader, test_loader, epochs=epochs, lr=lr)


def run_mnist(folder: str | Path, epochs: int = 5, batch_size: int = 64, lr: float = 1e-3) -> dict[str, list[float]]:
    """Train ``CNN(image_size=28)`` on MNIST read from ``folder`` (the four files of the MNIST site)."""
    folder = Path(folder)
    x_train, y_train = load_mnist_idx(folder / "train-images-idx3-ubyte.gz", folder / "train-labels-idx1-ubyte.gz")
    x_test, y_test = load_mnist_idx(folder / "t10k-images-idx3-ubyte.gz", folder / "t10k-labels-idx1-ubyte.gz")
    scale = lambda images: images.to(torch.float32).div(255.0).unsqueeze(1)  # noqa: E731
    train_loader, test_loader = make_loaders(scale(x_train), y_train, scale(x_test), y_test, batch_size, 0)
    return fit(CNN(image_size=28), train_loader, test_loader, epochs=epochs, lr=lr)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", help="folder with the four MNIST *-ubyte.gz files (default: the 8x8 digits)")
    parser.add_argument("--epochs", type=int, default=None, help="default: 5 on MNIST, 8 on the digits")
    args = parser.parse_args()
    if args.mnist:
        result = run_mnist(args.mnist, epochs=args.epochs or 5)
    else:
        result = run_digits(epochs=args.epochs or 8)
    print("plot written to", plot_history(result, "cnn_history.png"))
