"""Transfer learning: reuse a pretrained network as a frozen feature extractor and train a new head.

A network trained on a large data set (AlexNet on ImageNet) has learned features (edges, textures,
parts of objects) that are useful far beyond its own 1000 classes. To reuse it for a new task
(the PCAM tumour patches of the problem set: two classes) you

1. freeze its parameters (``requires_grad = False``), so that training cannot change them,
2. put a new, trainable last layer (the "head") in place of its classifier, with one output per
   new class, and
3. train only that head on the new data.

The PCAM notebook needs torchvision, the ImageNet weights and the data set, none of which the
autograder has. So the parts are graded on a small stand-in: ``SmallCNN`` (given below) is
pretrained by the grader on the 8x8 digits 0-4 only, and your functions transfer it to all ten
digits from only five examples of each. ``load_alexnet`` is graded with a stand-in ``torchvision``
module that the grader builds (the real one is never imported by the tests).

Conventions (fixed for every function below):

* Images are float32 tensors (N, C, H, W); labels are int64 tensors (N,) with values 0 .. K-1.
  Models map images to raw class scores (N, K) (no softmax: ``nn.CrossEntropyLoss`` applies the
  log-softmax itself).
* "Frozen" means ``requires_grad`` is False. A frozen parameter gets no gradient, so no optimiser
  step changes it. Buffers (BatchNorm's ``running_mean``, ``running_var``, ``num_batches_tracked``)
  are not parameters: ``requires_grad`` does not protect them. What protects them is the mode:
  in ``train()`` mode every forward pass of a BatchNorm layer updates its running statistics,
  in ``eval()`` mode it only reads them. So while the head trains, the whole model stays in
  eval mode (see ``train_head``); the head is an ``nn.Linear``, which behaves the same in both modes.
* Evaluation (``accuracy``) runs in eval mode and under ``torch.no_grad()``.

Graded automatically: ``freeze``, ``replace_head``, ``load_alexnet`` (with a stand-in torchvision
module that records the ``weights`` argument), ``make_optimizer``, ``accuracy`` and ``train_head``
(on small CNNs with BatchNorm and Dropout that the grader builds: the call order of zero_grad,
backward and step, raw scores into the loss, the frozen layers and BatchNorm statistics left
bit-for-bit as they were, the history), ``plot_history`` (a PNG that opens and draws both curves),
and one end-to-end transfer: the grader pretrains ``SmallCNN`` on the digits 0-4 and runs your
``freeze``, ``replace_head(model, 10, "fc")`` and ``train_head`` on 5 examples of each of the ten
digits; the accuracy on held-out digits must clear a threshold that the same head on a randomly
initialised backbone does not reach (the figures are in the test's docstring; the accuracy reached
is printed with the test).

Graded by hand (write it up as the problem set asks):

* (i) What AlexNet is and why it was such a big deal, in one sentence.
* (ii) The PCAM notebook with ``load_alexnet``: a link to it, and ONE observation about its loss
  and accuracy curves (``plot_history``) with a reason for it (for example how the validation
  accuracy compares with the training loss from the first epoch on, and what the frozen
  pretrained features have to do with it).
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


# ============================================================================= given code
class SmallCNN(nn.Module):
    """The stand-in for AlexNet (given code): ``features`` maps (N, 1, 8, 8) digits to 8 * 2 * 2 = 32
    features, ``fc`` maps them to ``n_classes`` scores. It has BatchNorm (running statistics) and
    Dropout, like the larger networks whose heads are replaced in practice."""

    def __init__(self, n_classes: int = 5, channels: int = 8, p_drop: float = 0.25):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(p_drop),
        )
        self.fc = nn.Linear(channels * 2 * 2, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


# ============================================================================= the parts
def freeze(module: nn.Module) -> nn.Module:
    """Freeze every parameter of ``module``, however deeply nested, in place.

    Set ``requires_grad`` to False on each parameter (``module.parameters()`` recurses into the
    submodules). Change nothing else: the values of the parameters and of the buffers (e.g.
    BatchNorm's running statistics), the modules and the train/eval mode stay as they are.

    Returns:
    - ``module`` itself
    """
    # BEGIN SOLUTION
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    return module
    # END SOLUTION


def replace_head(model: nn.Module, n_classes: int, attr: str = "fc") -> nn.Linear:
    """Put a new ``nn.Linear`` with ``n_classes`` outputs in place of the layer ``model.<attr>``.

    Args:
    - model: changed in place
    - n_classes: outputs of the new layer (the number of classes of the new task)
    - attr: where the old last layer is, as a dotted path of submodule names: ``"fc"`` for
      ``model.fc`` (SmallCNN, ResNet), ``"classifier.6"`` for ``model.classifier[6]`` (AlexNet:
      ``classifier`` is an ``nn.Sequential``, and ``model.get_submodule("classifier.6")`` is its
      item 6). The old layer is an ``nn.Linear``.

    The new layer takes the same number of inputs as the old one (``in_features``), has a bias, is
    freshly initialised by ``nn.Linear`` itself (the global torch RNG, as ``nn.Linear(...)`` does)
    and is trainable. It replaces the old layer at the same place (``setattr`` on the parent
    module), so that ``model``'s forward pass now ends in it. Nothing else in ``model`` changes (in
    particular, frozen parameters stay frozen).

    Returns:
    - the new ``nn.Linear`` (the very object now inside ``model``)
    """
    # BEGIN SOLUTION
    parent_name, _, name = attr.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    old = getattr(parent, name)
    head = nn.Linear(old.in_features, n_classes)
    setattr(parent, name, head)
    return head
    # END SOLUTION


def load_alexnet(weights="DEFAULT", n_classes: int = 2) -> nn.Module:
    """AlexNet, pretrained on ImageNet, ready to be transferred to a task with ``n_classes`` classes.

    Build it with ``torchvision.models.alexnet(weights=weights)``, passing ``weights`` on as given
    (``"DEFAULT"``: the ImageNet weights, downloaded by torchvision; ``None``: random weights).
    Freeze all of its parameters, then replace its last layer ``model.classifier[6]`` (4096 -> 1000)
    by a new trainable ``nn.Linear`` with ``n_classes`` outputs (``freeze`` and ``replace_head``).
    Everything else (``features``, the other layers of ``classifier``) stays as torchvision built it,
    frozen. PCAM has two classes (tumour or not), hence the default.

    torchvision is imported inside this function, only when it is called (it is not in this
    course's requirements; install the version matching your torch to run it).

    Returns:
    - the model (in whatever mode torchvision returned it)
    """
    try:
        import torchvision
    except ImportError as exc:
        raise RuntimeError("load_alexnet needs torchvision (pip install torchvision, the version matching "
                           f"your torch); it could not be imported: {exc}") from exc
    # BEGIN SOLUTION
    model = torchvision.models.alexnet(weights=weights)
    freeze(model)
    replace_head(model, n_classes, "classifier.6")
    return model
    # END SOLUTION


def make_optimizer(model: nn.Module, lr: float) -> torch.optim.Optimizer:
    """``torch.optim.Adam`` with learning rate ``lr`` over the trainable parameters of ``model`` only.

    Give the optimiser exactly the parameters whose ``requires_grad`` is True (after ``freeze`` and
    ``replace_head``: those of the head), each once, and no frozen ones: an optimiser that holds a
    frozen parameter would move it as soon as it got a gradient (after an unfreeze, say), and its
    state is wasted memory (AlexNet's frozen layers hold 57 million parameters).

    Returns:
    - the optimiser (other settings at Adam's defaults)
    """
    # BEGIN SOLUTION
    return torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    # END SOLUTION


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 256) -> float:
    """The fraction of the images ``x`` whose highest score is their label ``y``.

    Put ``model`` in eval mode (``model.eval()``: Dropout off, BatchNorm reads its running
    statistics) and run it under ``torch.no_grad()`` (no graph is built for evaluation), on
    mini-batches of at most ``batch_size`` images. The model is left in eval mode.

    Returns:
    - a Python float in [0, 1]
    """
    # BEGIN SOLUTION
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(y), batch_size):
            scores = model(x[start:start + batch_size])
            correct += int((scores.argmax(dim=1) == y[start:start + batch_size]).sum())
    return correct / len(y)
    # END SOLUTION


def train_head(model: nn.Module, x: torch.Tensor, y: torch.Tensor, x_val: torch.Tensor, y_val: torch.Tensor,
               epochs: int = 20, lr: float = 0.01, batch_size: int = 10, seed: int = 0) -> dict:
    """Train the trainable parameters of ``model`` (the head) on ``(x, y)``; return the history.

    Args:
    - model: a network whose backbone is frozen and whose new head is trainable (``freeze``, then
      ``replace_head``); trained in place
    - x, y: the training images and labels; x_val, y_val: held-out images and labels
    - epochs: passes over the training data; lr: Adam's learning rate; batch_size: images per
      mini-batch; seed: seeds the shuffling

    Rules:

    * Mode: call ``model.eval()`` before training and keep the model in eval mode throughout. The
      frozen backbone must behave as the fixed function it will be at test time: its BatchNorm layers
      normalise with their stored running statistics and do not update them, its Dropout is off.
      (A frozen BatchNorm layer in train mode would still overwrite its running statistics at every
      forward pass.)
    * Data: a ``torch.utils.data.DataLoader`` over ``TensorDataset(x, y)`` with ``batch_size``,
      ``shuffle=True`` and ``generator=torch.Generator().manual_seed(seed)``, built once, so that
      the same seed gives the same order of mini-batches and the same history.
    * Optimiser: ``make_optimizer(model, lr)``; loss: ``nn.CrossEntropyLoss()`` on the raw scores.
    * For every mini-batch, in this order: ``optimizer.zero_grad()``, the forward pass and the loss,
      ``loss.backward()``, ``optimizer.step()``.
    * After every epoch: record the epoch's training loss, the mean over its mini-batches of the
      loss weighted by their sizes (i.e. the mean loss per training image during that epoch), and
      the validation accuracy of the model at that moment, ``accuracy(model, x_val, y_val)``.

    Returns:
    - ``{"loss": [...], "val_accuracy": [...]}``: two lists of ``epochs`` Python floats each
    """
    # BEGIN SOLUTION
    model.eval()
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    optimizer = make_optimizer(model, lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"loss": [], "val_accuracy": []}
    for _ in range(epochs):
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        history["loss"].append(total / len(y))
        history["val_accuracy"].append(accuracy(model, x_val, y_val))
    return history
    # END SOLUTION


def plot_history(history: dict, path: str | Path) -> str:
    """Write a PNG with the training loss and the validation accuracy against the epoch.

    Args:
    - history: as returned by ``train_head``
    - path: where to write the PNG (the folder exists)

    Two panels side by side (matplotlib with the Agg backend, no window: a
    ``matplotlib.figure.Figure`` with ``FigureCanvasAgg``, or ``matplotlib.use("Agg")`` before
    importing pyplot): ``history["loss"]`` against the epochs 1, 2, ..., and
    ``history["val_accuracy"]`` against the same epochs, each drawn as a line
    (``ax.plot(epochs, values)``). Titles, labels and colours are up to you; save with
    ``savefig``.

    Returns:
    - ``str(path)``
    """
    # BEGIN SOLUTION
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    epochs = list(range(1, len(history["loss"]) + 1))
    fig = Figure(figsize=(8, 3), dpi=80)
    FigureCanvasAgg(fig)
    ax_loss, ax_acc = fig.subplots(1, 2)
    ax_loss.plot(epochs, history["loss"], marker="o")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    ax_acc.plot(epochs, history["val_accuracy"], marker="o", color="tab:green")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("validation accuracy")
    fig.tight_layout()
    fig.savefig(str(path), format="png")
    return str(path)
    # END SOLUTION


if __name__ == "__main__":
    # A run on scikit-learn's digits: pretrain on 0-4, transfer to all ten digits from 5 examples of each.
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    labels = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    train_idx, test_idx = order[450:], order[:450]
    old = train_idx[labels[train_idx] < 5]
    torch.manual_seed(0)
    backbone = SmallCNN(5)
    optimizer = torch.optim.Adam(backbone.parameters(), lr=0.01)
    backbone.train()
    for _ in range(8):
        for xb, yb in DataLoader(TensorDataset(images[old], labels[old]), batch_size=64, shuffle=True):
            optimizer.zero_grad()
            nn.functional.cross_entropy(backbone(xb), yb).backward()
            optimizer.step()
    few = torch.cat([train_idx[labels[train_idx] == c][:5] for c in range(10)])
    freeze(backbone)
    replace_head(backbone, 10, "fc")
    history = train_head(backbone, images[few], labels[few], images[test_idx], labels[test_idx], epochs=30, lr=0.03)
    print(f"held-out accuracy on all ten digits: {history['val_accuracy'][-1]:.3f}")
    print("curves written to", plot_history(history, "transfer_history.png"))
