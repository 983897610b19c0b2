"""Gradients in input space: a 2D toy classifier, and guided backpropagation for CNNs.

Training computes gradients with respect to the *parameters*. Here the gradient is taken with
respect to the *input*: by a first-order Taylor expansion,

    f(x + dx) ~= f(x) + grad_x f(x) . dx,

so a large entry of grad_x f(x) marks an input coordinate (or pixel) that moves the output a lot.

Part A (a two-dimensional picture of this). ``MLP2d`` maps a point x = (x1, x2) to two scores
(s0(x), s1(x)); softmax over them gives p(y = c | x). You train it on a toy data set (two
interleaving half-moons, ``make_toy_dataset``), evaluate p(y = 1 | x) on a regular grid of the
plane, take the gradient of p(y = 1 | x) with respect to x at every grid point, and draw it all.

Part B (guided backpropagation, Springenberg et al. 2014). Raw input gradients of a deep ReLU
network are noisy. Guided backpropagation changes the *backward* pass of every ReLU: besides
zeroing the gradient where the ReLU's input was negative (the ordinary ReLU derivative), it also
zeroes it where the gradient arriving from above is negative. The forward pass stays a ReLU.

Conventions (fixed for every function below):

* Points are batch-first float tensors of shape (N, 2); labels are int64 tensors of shape (N,)
  with values 0 or 1. Models map (N, 2) to scores of shape (N, 2) (raw scores, no softmax).
* "p1" is p(y = 1 | x) = softmax(scores, dim=1)[:, 1].
* Grids: ``xs = torch.linspace(x_min, x_max, steps)``, ``ys = torch.linspace(y_min, y_max, steps)``
  and ``XX, YY = torch.meshgrid(xs, ys, indexing="xy")``, so that rows follow x2 and columns
  follow x1: ``XX[i, j] = xs[j]`` and ``YY[i, j] = ys[i]``, shape (steps, steps) each; every
  grid-valued result (P, GX, GY) has entry [i, j] for the point (xs[j], ys[i]). That is the
  layout ``plt.contourf(XX, YY, P)`` and ``plt.quiver(XX, YY, GX, GY)`` expect.
* Images are batch-first float tensors (B, C, H, W); a CNN maps them to class scores (B, K).
* The ReLU derivative at exactly 0 is 0: use strict comparisons (``> 0``) for both masks.
* Float32 is fine everywhere; returned tensors are compared in float64 with float32 tolerances.

Graded automatically: ``MLP2d.forward`` (with the grader's weights loaded into your model by
parameter name, so keep ``self.net`` as given), ``train_classifier`` (the grader trains a fresh
``MLP2d``-shaped model with it on a toy data set it generates: the accuracy must be clearly
above chance and the value you return must be that accuracy; it must use ``TensorDataset``,
``DataLoader`` and ``nn.CrossEntropyLoss``), ``evaluate_on_grid``, ``compute_input_gradients``
(compared with finite differences), ``plot_gradient_field`` (a PNG that opens and shows
something), ``GuidedReLU``, ``replace_relus`` and ``guided_backprop`` (on small CNNs with
random weights that the grader builds, with ReLUs nested inside submodules as in ResNet-50).

Graded by hand (write it up as the problem set asks):

* Part A: the plot of the data, the decision boundary p1 = 0.5 and the gradient field; where
  the gradients are largest (near the boundary or far from it), why they are small where the
  model is confident, and whether a small step along the gradient raises or lowers p1.
* Part B: guided backpropagation on the pretrained ResNet-50 for the given photo (class 243,
  "bull mastiff"): the gradient shown as an image, and which regions light up and why.
  ``load_resnet50`` and ``gradient_to_image`` below are given code for that part; they need
  torchvision and the pretrained weights, which the autograder does not have, so no test calls
  ``load_resnet50``.
"""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


# ============================================================================= Part A: given code
def make_toy_dataset(n: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half-moons in the plane (given code, do not change).

    Class 0 lies on the upper arc (cos t, sin t), class 1 on the lower arc
    (1 - cos t, 0.5 - sin t), t uniform in [0, pi]; Gaussian noise of standard deviation
    ``noise`` is added to both coordinates and the points are shuffled.

    Returns:
    - X: float32 tensor of shape (n, 2), one point per row
    - y: int64 tensor of shape (n,), the class (0 or 1) of each point
    """
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t[:n0]), np.sin(t[:n0])], axis=1)
    lower = np.stack([1.0 - np.cos(t[n0:]), 0.5 - np.sin(t[n0:])], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, size=(n, 2))
    y = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    order = rng.permutation(n)
    return torch.tensor(X[order], dtype=torch.float32), torch.tensor(y[order], dtype=torch.int64)


def make_grid(x_range: tuple[float, float], y_range: tuple[float, float], steps: int):
    """``(XX, YY)``, each of shape (steps, steps), as fixed in the conventions (given code)."""
    xs = torch.linspace(float(x_range[0]), float(x_range[1]), steps)
    ys = torch.linspace(float(y_range[0]), float(y_range[1]), steps)
    return torch.meshgrid(xs, ys, indexing="xy")


# ============================================================================= Part A: the classifier
class MLP2d(nn.Module):
    """A small classifier R^2 -> R^2 (two scores). ``__init__`` is given: keep ``self.net`` and its
    layer order, the grader loads weights into ``net.0``, ``net.2`` and ``net.4`` by name."""

    def __init__(self, hidden: int = 16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores of the points ``x``.

        Args:
        - x: shape (N, 2)

        Returns:
        - shape (N, 2): ``self.net`` applied to ``x``; raw scores (no softmax: nn.CrossEntropyLoss
          and the functions below apply it themselves).
        """
        # BEGIN SOLUTION
        return self.net(x)
        # END SOLUTION


def train_classifier(model: nn.Module, X: torch.Tensor, y: torch.Tensor, epochs: int = 10,
                     batch_size: int = 32, lr: float = 0.02) -> float:
    """Train ``model`` in place on the points ``X`` with labels ``y``; return its training accuracy.

    Args:
    - model: maps (N, 2) to scores (N, 2), e.g. an ``MLP2d``
    - X: shape (N, 2) float32; y: shape (N,) int64 in {0, 1}
    - epochs: passes over the data; batch_size: points per mini-batch; lr: the learning rate

    Wrap the data in a ``torch.utils.data.TensorDataset``, iterate over it with a ``DataLoader``
    (``batch_size``, ``shuffle=True``), and for every mini-batch take one optimiser step on
    ``nn.CrossEntropyLoss`` of the scores (the raw scores: the loss applies the softmax itself).
    Use ``torch.optim.Adam`` with learning rate ``lr`` (``torch.optim.SGD`` with momentum 0.9
    works too). With the defaults this takes well under a second; keep it that way (the grader
    calls it with its own small values and a time limit).

    Returns:
    - the training accuracy after the last epoch, as a Python float in [0, 1]: the fraction of
      the N points whose argmax score equals their label (computed on all of X without gradients).
    """
    # BEGIN SOLUTION
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return float((model(X).argmax(dim=1) == y).float().mean())
    # END SOLUTION


def evaluate_on_grid(model: nn.Module, x_range: tuple[float, float] = (-1.5, 2.5),
                     y_range: tuple[float, float] = (-1.0, 1.5), steps: int = 100):
    """p(y = 1 | x) on a regular grid.

    Args:
    - model: maps (N, 2) to scores (N, 2)
    - x_range: (x_min, x_max) for the first coordinate; y_range: (y_min, y_max) for the second
    - steps: grid points per axis (steps >= 2)

    Build ``XX, YY`` as in the conventions (``make_grid``), stack them into the points
    ``grid`` of shape (steps * steps, 2) (first column x1 = XX, second x2 = YY), compute the
    scores without gradients, take the softmax over the class dimension, keep class 1, and reshape
    back so that ``P[i, j]`` belongs to the point ``(XX[i, j], YY[i, j])``.

    Returns:
    - ``(XX, YY, P)``, three tensors of shape (steps, steps)
    """
    # BEGIN SOLUTION
    XX, YY = make_grid(x_range, y_range, steps)
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)        # (steps*steps, 2)
    with torch.no_grad():
        probs = torch.softmax(model(grid), dim=1)                      # (steps*steps, 2)
    return XX, YY, probs[:, 1].reshape(steps, steps)
    # END SOLUTION


def compute_input_gradients(model: nn.Module, x_range: tuple[float, float] = (-1.5, 2.5),
                            y_range: tuple[float, float] = (-1.0, 1.5), steps: int = 25):
    """The gradient of p(y = 1 | x) with respect to x at every grid point.

    Args: as for ``evaluate_on_grid``.

    Build the grid points as there, make them require gradients, run the model, take p1 of every
    point, call ``model.zero_grad()`` and backpropagate ``p1.sum()``: point k's probability
    depends on point k only, so the gradient of the sum with respect to point k is the gradient of
    its own p1. Split the (steps * steps, 2) gradient into its two columns.

    Returns:
    - ``(XX, YY, GX, GY)``, four tensors of shape (steps, steps): ``GX[i, j]`` is dp1/dx1 and
      ``GY[i, j]`` is dp1/dx2 at the point ``(XX[i, j], YY[i, j])``
    """
    # BEGIN SOLUTION
    XX, YY = make_grid(x_range, y_range, steps)
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1).requires_grad_(True)
    p1 = torch.softmax(model(grid), dim=1)[:, 1]                        # (steps*steps,)
    model.zero_grad()
    p1.sum().backward()
    grads = grid.grad.detach()                                          # (steps*steps, 2)
    return XX, YY, grads[:, 0].reshape(steps, steps), grads[:, 1].reshape(steps, steps)
    # END SOLUTION


def plot_gradient_field(X: torch.Tensor, y: torch.Tensor, XX: torch.Tensor, YY: torch.Tensor, P: torch.Tensor,
                        GX: torch.Tensor, GY: torch.Tensor, path: str | Path) -> str:
    """Write a PNG with the data, p1, the decision boundary p1 = 0.5 and the gradient arrows.

    Args:
    - X, y: the data set (N, 2) and its labels (N,)
    - XX, YY, P: a grid and p1 on it (from ``evaluate_on_grid``)
    - GX, GY: the input gradients on a grid with the same corners (from ``compute_input_gradients``,
      possibly coarser than P's grid: arrows on a fine grid are unreadable); if their shape differs
      from ``XX``'s, rebuild the coarse grid from XX's corners
    - path: where to write the PNG (the folder exists)

    Draw (matplotlib with the Agg backend, no window: ``matplotlib.figure.Figure`` with
    ``FigureCanvasAgg``, or ``matplotlib.use("Agg")`` before importing pyplot): ``contourf`` of P,
    the ``contour`` line at level 0.5, the points coloured by class, and ``quiver`` arrows (GX, GY)
    placed at the points of their own grid (arrow [i, j] at (xs[j], ys[i]) of that grid). Size, colours,
    labels and the arrows' length scale are up to you; save with the figure's ``savefig``.

    Returns:
    - ``str(path)``
    """
    # BEGIN SOLUTION
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def arr(t):
        return torch.as_tensor(t).detach().double().cpu().numpy()

    XX_, YY_, P_, GX_, GY_ = map(arr, (XX, YY, P, GX, GY))
    if GX_.shape != XX_.shape:
        xs = np.linspace(XX_[0, 0], XX_[0, -1], GX_.shape[1])
        ys = np.linspace(YY_[0, 0], YY_[-1, 0], GX_.shape[0])
        QX, QY = np.meshgrid(xs, ys, indexing="xy")
    else:
        QX, QY = XX_, YY_
    fig = Figure(figsize=(5, 4), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.contourf(XX_, YY_, P_, levels=10, cmap="RdBu_r", vmin=0, vmax=1)
    ax.contour(XX_, YY_, P_, levels=[0.5], colors="k", linewidths=2)
    points, labels = arr(X), arr(y)
    ax.scatter(points[:, 0], points[:, 1], c=labels, cmap="coolwarm", edgecolors="k", s=12)
    ax.quiver(QX, QY, GX_, GY_, color="k", alpha=0.7)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title("p(y = 1 | x), boundary p = 0.5, and its input gradient")
    fig.savefig(str(path), format="png")
    return str(path)
    # END SOLUTION


# ============================================================================= Part B: guided backpropagation
class GuidedReLU(torch.autograd.Function):
    """A ReLU whose backward pass is guided.

    Forward: ``relu(x)``. Backward: the gradient passes only where the ReLU's input was positive
    AND the incoming gradient is positive:

        grad_input = grad_output * (x > 0) * (grad_output > 0)

    (an ordinary ReLU keeps only the first mask; the "deconvnet" rule keeps only the second).
    Use it as ``GuidedReLU.apply(x)``.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        """Returns ``relu(x)`` (a new tensor; do not modify ``x``); save what backward needs on ``ctx``."""
        # BEGIN SOLUTION
        ctx.save_for_backward(x)
        return x.clamp(min=0)
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        """Returns the guided gradient with respect to ``x``, the same shape as ``x``."""
        # BEGIN SOLUTION
        (x,) = ctx.saved_tensors
        return grad_output * (x > 0).to(grad_output.dtype) * (grad_output > 0).to(grad_output.dtype)
        # END SOLUTION


class GuidedReLUModule(nn.Module):
    """An ``nn.Module`` wrapper around ``GuidedReLU`` that can take the place of an ``nn.ReLU`` (given code)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return GuidedReLU.apply(x)


def replace_relus(model: nn.Module) -> nn.Module:
    """Put a ``GuidedReLUModule`` in place of every ``nn.ReLU`` of ``model``, in place.

    Every ``nn.ReLU`` counts, however deeply it is nested (ResNet-50 keeps its ReLUs inside
    ``layer1`` ... ``layer4``, in every block, next to a top-level ``model.relu``); other modules
    stay as they are. A ReLU module used twice in ``forward`` (as ResNet's blocks do) is replaced
    wherever it is used. The forward pass of the model does not change.

    Returns:
    - ``model`` itself (modified)
    """
    # BEGIN SOLUTION
    for name, child in model.named_children():
        if isinstance(child, nn.ReLU):
            setattr(model, name, GuidedReLUModule())
        else:
            replace_relus(child)
    return model
    # END SOLUTION


def guided_backprop(model: nn.Module, x: torch.Tensor, class_idx: int) -> torch.Tensor:
    """The guided-backpropagation gradient of the score of class ``class_idx`` with respect to ``x``.

    Args:
    - model: a CNN in eval mode with ``nn.ReLU`` modules, mapping (B, C, H, W) to scores (B, K)
    - x: the images, shape (B, C, H, W); do not modify it (work on a copy that requires grad)
    - class_idx: the class whose score (the raw logit, before any softmax) is explained

    Swap the ReLUs for guided ones (``replace_relus``), run the model, and backpropagate the sum
    over the batch of ``scores[:, class_idx]`` (each image's score depends on that image only, so
    row b of the result belongs to image b). Leave ``model`` as it was: afterwards it must still
    contain its own ``nn.ReLU`` modules (work on ``copy.deepcopy(model)``, or put them back), with the
    same weights and ``requires_grad`` flags; leave ``x`` as it was too (values and ``requires_grad``).

    Returns:
    - the gradient, a tensor of the shape of ``x``
    """
    # BEGIN SOLUTION
    guided = replace_relus(copy.deepcopy(model))
    inputs = x.detach().clone().requires_grad_(True)
    scores = guided(inputs)                                           # (B, K)
    (grad,) = torch.autograd.grad(scores[:, class_idx].sum(), inputs)
    return grad
    # END SOLUTION


# ============================================================================= Part B: given code (not graded)
def load_resnet50(weights_path: str | Path | None = None):
    """Pretrained ResNet-50 for the by-hand part: returns ``(model, preprocess)``.

    - ``model``: torchvision's ``resnet50`` with the IMAGENET1K_V1 weights, in eval mode.
    - ``preprocess``: the matching transform (resize 256, centre crop 224, to tensor, ImageNet
      normalisation) for a PIL image; ``x = preprocess(img.convert("RGB")).unsqueeze(0)``.

    With ``weights_path=None`` torchvision downloads the weights (needs internet); otherwise
    ``weights_path`` is a ``state_dict`` saved with ``torch.save(model.state_dict(), ...)``.
    torchvision is imported here, only when this function is called. Then, for the photo:
    ``grad = guided_backprop(model, x, 243)`` and ``gradient_to_image(grad[0])``.
    """
    try:
        from torchvision.models import ResNet50_Weights, resnet50
    except Exception as exc:  # not installed, or does not import beside this torch build
        raise RuntimeError("load_resnet50 needs torchvision (pip install torchvision, matching your torch "
                           f"version); it could not be imported: {exc}") from exc
    weights = ResNet50_Weights.IMAGENET1K_V1
    if weights_path is None:
        model = resnet50(weights=weights)
    else:
        model = resnet50(weights=None)
        model.load_state_dict(torch.load(Path(weights_path), map_location="cpu", weights_only=True))
    return model.eval(), weights.transforms()


def gradient_to_image(grad: torch.Tensor) -> np.ndarray:
    """A (C, H, W) input gradient as an (H, W, C) array in [0, 1] for ``plt.imshow`` (given code):
    min-max scaled over the whole tensor, so that zero gradient is mid-grey only when the range is
    symmetric."""
    g = grad.detach().double()
    g = (g - g.min()) / (g.max() - g.min()).clamp_min(1e-12)
    return g.permute(1, 2, 0).cpu().numpy()


if __name__ == "__main__":
    X, y = make_toy_dataset()
    classifier = MLP2d()
    print(f"training accuracy: {train_classifier(classifier, X, y):.3f}")
    XX, YY, P = evaluate_on_grid(classifier)
    _, _, GX, GY = compute_input_gradients(classifier)
    print("plot written to", plot_gradient_field(X, y, XX, YY, P, GX, GY, "gradients2d.png"))
