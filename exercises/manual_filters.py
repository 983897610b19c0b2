"""A CNN whose filters you choose by hand: only its classifier learns.

A convolutional layer usually learns its filters. Here you pick them yourself: four 3x3 filters
that you expect to pull out features useful for telling digits apart (edges in a few directions,
say), you fix them, and you train only the fully connected layer on top. How close does such a
network get to one whose filters are learned?

The network, ``ManualCNN(filters, n_classes, image_size)``, for one-channel images of
``S x S = image_size x image_size`` pixels:

    conv (4 fixed 3x3 filters, padding 1, no bias) -> ReLU -> 2x2 max-pool -> flatten -> fc

* ``self.conv`` holds the filters in ``self.conv.weight``, shape (4, 1, 3, 3), and applies them with
  stride 1 and padding 1 (zero padding, so the four feature maps are S x S). It has NO bias: a bias
  would be one more thing to fix by hand, and the filters alone decide the features. The filters
  never change: ``self.conv.weight.requires_grad`` is ``False``. ``self.conv`` is an
  ``nn.Conv2d(1, 4, kernel_size=3, padding=1, bias=False)``, or a small module of your own that keeps
  the filters as a buffer (``register_buffer("weight", ...)``) and returns
  ``F.conv2d(x, self.weight, padding=1)``.
* ReLU, then ``nn.MaxPool2d(2)`` (each S x S map becomes (S // 2) x (S // 2)), then
  ``torch.flatten(h, 1)``: channel first, then row, then column, the usual order.
* ``self.fc = nn.Linear(4 * (S // 2) ** 2, n_classes)``: the only layer that learns, so the only
  parameters with ``requires_grad=True`` are ``fc.weight`` and ``fc.bias``.
* ``forward`` returns raw scores (B, n_classes): no softmax (``nn.CrossEntropyLoss`` applies it).

Conventions (fixed for every function below):

* Images are float32 tensors (B, 1, S, S) with values in [0, 1]; labels are int64 tensors (B,)
  with values 0 .. n_classes - 1. The autograder trains on scikit-learn's 8x8 digits (S = 8,
  10 classes: 1348 training and 449 held-out test images), small enough to train in a second on a
  CPU; on your machine you may also try MNIST (S = 28), as in the original problem set.
* The accuracy of a model on (x, y) is the fraction of images whose largest score is at their
  label, computed in eval mode (``model.eval()``) without gradients (``torch.no_grad()``).

Graded automatically: ``make_filters`` (by properties: four 3x3 filters, float32, finite, none of
them all zero, not all four the same; which four is your choice), ``ManualCNN`` (the filters given or yours in
``conv.weight``, frozen, no bias; only ``fc`` trainable, with the right number of parameters; the
forward pass against the grader's, with its own filters and ``fc`` weights),
``filter_responses``, ``make_optimizer`` (only the trainable parameters, the settings given),
``evaluate`` and ``train_manual`` (on a model built by the grader that records how it is used:
``DataLoader``, ``zero_grad`` / ``backward`` / ``step`` in this order, train mode for training,
eval mode and no gradients for the evaluation), and one end-to-end run: ``ManualCNN()`` with
your filters, trained with ``train_manual`` on the digits, must reach the accuracy threshold on
the held-out images, and its filters must be bit-for-bit the same after training (with momentum
and weight decay in the optimiser). ``plot_history`` and ``plot_filter_effects`` must write PNGs
that open and draw what is asked.

Graded by hand (write it up as the problem set asks):

* the four filters you chose, and why you expect them to help tell digits apart;
* your loss and accuracy plots (``plot_history``) and the test accuracy you reached;
* the picture of your filters' effects (``plot_filter_effects``): what each filter highlights;
* one sentence comparing it with the CNN whose filters are learned (problem (b)).
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_filters() -> torch.Tensor:
    """Your four 3x3 filters: a float32 tensor of shape (4, 1, 3, 3) (out channels, in channels, rows,
    columns). ``ManualCNN()`` uses them when no filters are given.

    Which four is up to you (horizontal, vertical and diagonal edge detectors are a good start;
    the grader checks only that they are finite, that none of them is all zero, that not all four
    are the same, and that a network built on them learns the digits well). Return a new tensor at
    every call.
    """
    raise NotImplementedError("make_filters: replace this line with your solution (the docstring above says what to return)")


class ManualCNN(nn.Module):
    """conv (4 fixed filters) -> ReLU -> 2x2 max-pool -> flatten -> fc; only ``fc`` learns."""

    def __init__(self, filters: torch.Tensor | None = None, n_classes: int = 10, image_size: int = 8):
        """Build the layers described in the module docstring.

        Args:
        - filters: None for your own (``make_filters()``), or the four filters to use: a tensor of
          shape (4, 1, 3, 3) or (4, 3, 3), any float dtype. Keep a float32 copy of shape
          (4, 1, 3, 3) in ``self.conv.weight``: the tensor passed in is left as it was, and later
          changes to it do not reach the model.
        - n_classes: the number of classes (outputs of ``fc``)
        - image_size: S, the side of the square input images (S >= 2)

        Afterwards ``self.conv.weight.requires_grad`` is False, ``self.conv`` has no bias, and
        ``self.fc = nn.Linear(4 * (S // 2) ** 2, n_classes)`` (with nn.Linear's default
        initialisation) holds the only parameters that require gradients.
        """
        super().__init__()
        raise NotImplementedError("__init__: replace this line with your solution (the docstring above says what to return)")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores of the images ``x`` (B, 1, S, S): a tensor (B, n_classes), raw (no softmax)."""
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


def filter_responses(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The four feature maps of ``model``'s filters on ``images``, as ``plot_filter_effects`` shows them.

    Args:
    - model: a ``ManualCNN``
    - images: (B, 1, S, S)

    Returns:
    - a tensor (B, 4, S, S): ``model.conv`` applied to the images, AFTER the ReLU and BEFORE the
      pooling, computed without gradients (it does not require grad).
    """
    raise NotImplementedError("filter_responses: replace this line with your solution (the docstring above says what to return)")


def make_optimizer(model: nn.Module, lr: float, momentum: float = 0.9, weight_decay: float = 0.0):
    """``torch.optim.SGD`` over the parameters of ``model`` that are trained, and no others.

    Args:
    - model: any ``nn.Module`` (a ``ManualCNN``, or another model with frozen layers)
    - lr, momentum, weight_decay: passed on to SGD as they are

    Only the parameters with ``requires_grad=True`` go to the optimiser (for a ``ManualCNN``:
    ``fc.weight`` and ``fc.bias``). A frozen layer should not be handed to an optimiser at all:
    it is wasted work, and with ways of freezing other than ``requires_grad=False`` (a gradient
    zeroed by hand, say) momentum and weight decay would still move it.

    Returns:
    - the optimiser, with one parameter group
    """
    raise NotImplementedError("make_optimizer: replace this line with your solution (the docstring above says what to return)")


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """The accuracy of ``model`` on the images ``x`` with labels ``y``, a Python float in [0, 1].

    Put the model in eval mode (``model.eval()``: dropout off, batch norm on its running averages)
    and compute the scores without gradients (``torch.no_grad()``); the model is left in eval mode.
    """
    raise NotImplementedError("evaluate: replace this line with your solution (the docstring above says what to return)")


def train_manual(model: nn.Module, x_train: torch.Tensor, y_train: torch.Tensor, x_test: torch.Tensor,
                 y_test: torch.Tensor, epochs: int = 10, lr: float = 0.02, batch_size: int = 32,
                 momentum: float = 0.9, weight_decay: float = 0.0, seed: int = 0) -> dict:
    """Train ``model`` in place on (x_train, y_train); return the loss and accuracy curves.

    Args:
    - model: a ``ManualCNN``, or any model that maps the images to scores (the grader also passes a
      model of its own, with a frozen layer and dropout)
    - x_train, y_train: the training images and labels; x_test, y_test: the held-out ones
    - epochs: passes over the training data; lr, momentum, weight_decay: the optimiser's settings
    - batch_size: images per mini-batch; seed: seeds the order of the mini-batches

    Build the optimiser with ``make_optimizer(model, lr, momentum, weight_decay)`` and the loss with
    ``nn.CrossEntropyLoss()`` (on the raw scores, with the int64 labels). Iterate with a
    ``DataLoader`` over ``TensorDataset(x_train, y_train)`` with ``batch_size``, ``shuffle=True`` and
    ``generator=torch.Generator().manual_seed(seed)``, so that the same call gives the same model.
    In every epoch: ``model.train()``, then for every mini-batch ``optimizer.zero_grad()``, the loss,
    ``loss.backward()``, ``optimizer.step()``, in this order; after the epoch, the test accuracy
    with ``evaluate(model, x_test, y_test)``. With the defaults this takes about a second on the
    digits (the grader calls it with a time limit of a few seconds).

    Returns:
    - ``{"loss": [...], "test_accuracy": [...]}``: one float per epoch each; ``loss[e]`` is the mean
      of the mini-batch losses of epoch e (their sum divided by their number; the mean over the images,
      each mini-batch's loss weighted by its size, is accepted too), ``test_accuracy[e]`` the accuracy
      after epoch e
    """
    raise NotImplementedError("train_manual: replace this line with your solution (the docstring above says what to return)")


def plot_history(history: dict, path: str | Path) -> str:
    """Write a PNG of the curves ``train_manual`` returned: the loss and the test accuracy per epoch.

    Args:
    - history: ``{"loss": [...], "test_accuracy": [...]}``
    - path: where to write the PNG (the folder exists)

    Use matplotlib with the Agg backend (``matplotlib.figure.Figure`` with ``FigureCanvasAgg``, or
    ``matplotlib.use("Agg")`` before importing pyplot). Draw the two curves as lines (``ax.plot``)
    against the epoch numbers 1, 2, ..., on two subplots (their scales differ), with the values
    exactly as given; titles and labels are up to you. Save with the figure's ``savefig``.

    Returns:
    - ``str(path)``
    """
    raise NotImplementedError("plot_history: replace this line with your solution (the docstring above says what to return)")


def plot_filter_effects(model: nn.Module, images: torch.Tensor, path: str | Path) -> str:
    """Write a PNG that shows what each of the model's filters does to each image.

    Args:
    - model: a ``ManualCNN``
    - images: (B, 1, S, S), a few images (B <= 8)
    - path: where to write the PNG (the folder exists)

    One row per image and five columns: the image itself, then its four responses from
    ``filter_responses`` (after the ReLU). Draw every panel with ``ax.imshow`` of the S x S array
    itself (imshow scales the colours; do not rescale it yourself), e.g. with ``cmap="gray"``,
    and no axis ticks. Matplotlib with the Agg backend, saved with the figure's ``savefig``.

    Returns:
    - ``str(path)``
    """
    raise NotImplementedError("plot_filter_effects: replace this line with your solution (the docstring above says what to return)")


if __name__ == "__main__":
    from sklearn.datasets import load_digits

    from sklearn.model_selection import train_test_split

    data = load_digits()
    x = torch.tensor(data.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(data.target, dtype=torch.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0)
    torch.manual_seed(0)
    net = ManualCNN()
    curves = train_manual(net, x_train, y_train, x_test, y_test)
    print(f"test accuracy after {len(curves['test_accuracy'])} epochs: {curves['test_accuracy'][-1]:.4f}")
    print("curves written to", plot_history(curves, "manual_filters_history.png"))
    print("filter effects written to", plot_filter_effects(net, x_test[:6], "manual_filters_effects.png"))
