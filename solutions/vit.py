"""A Vision Transformer (ViT) for handwritten digits.

A Vision Transformer (Dosovitskiy et al. 2020, https://arxiv.org/abs/2010.11929) reads an image as a
sequence: it cuts the image into square patches, maps every patch to a vector with one shared affine
map, puts a learned *class token* in front of the sequence, adds a learned *positional embedding*
to every position, and runs the sequence through a stack of pre-LN transformer encoder layers. A
final LayerNorm and a linear *head* turn the class token's final state into class scores. You build
it from its parts and train it.

Conventions (fixed for every function below):

* Images are batch-first float tensors (B, C, H, W) with H and W multiples of the patch size p.
  The image holds (H / p) * (W / p) = N patches. Patches are numbered in row-major order: patch
  n = i * (W / p) + j covers rows i*p ... i*p + p - 1 and columns j*p ... j*p + p - 1.
* A patch is flattened channels first, then rows, then columns: entry c * p * p + r * p + s of
  patch n is pixel (c, i*p + r, j*p + s). That is the order ``F.unfold(images, p, stride=p)`` uses
  (after a transpose), and the order a ``Conv2d(C, D, kernel_size=p, stride=p)`` weight of shape
  (D, C, p, p) flattens in.
* Sequences of tokens are batch-first (B, T, D). Position 0 of the ViT's sequence is the class
  token; position n + 1 is patch n.
* Every ``nn.Linear`` has a bias, including the four projections of the attention (queries, keys,
  values, output), as ``nn.MultiheadAttention(dim, heads)`` has them. (The single-head attention of
  the problem set's part (a) has no bias in its projections; the ViT here follows PyTorch's layer.)
  The attention uses ``heads`` heads of size ``dim // heads`` (``heads`` divides ``dim``). The MLP
  of a layer is Linear(dim, mlp_dim) -> GELU -> Linear(mlp_dim, dim).
* Classification scores are raw logits (no softmax): ``nn.CrossEntropyLoss`` applies it.

You may use ``nn.MultiheadAttention`` (mind ``batch_first=True``), ``nn.LayerNorm``, ``nn.Linear``,
``nn.Conv2d``, ``nn.GELU``, ``nn.Dropout``, even ``nn.TransformerEncoderLayer`` (with
``norm_first=True``, ``batch_first=True`` and ``activation="gelu"``), or write the attention by hand.

The seed configuration of the problem set is ``ViT(image_size=28, patch_size=7, in_channels=1,
n_classes=10, dim=64, depth=6, heads=8, mlp_dim=128)`` on 28x28 MNIST: 16 patches, 6 layers of 8
heads, query (model) dimension 64, MLP hidden size 128, 10 epochs with batches of 32; that reaches
about 94% but takes 30-60 minutes on a CPU. The autograder checks the architecture at that
configuration and at others, and trains a small configuration on scikit-learn's 8x8 digits instead:
``ViT(image_size=8, patch_size=2, in_channels=1, n_classes=10, dim=32, depth=2, heads=4, mlp_dim=64)``
(16 patches of 2x2 pixels), 8 epochs of ``train_vit`` with batches of 32 and lr 2e-3, which must
classify at least 85% of the held-out digits (a correct ViT reaches about 94%, in a few seconds).

Graded automatically:

* ``patchify`` (exact values, against the order above, on several image sizes, channels and patch
  sizes);
* ``PatchEmbedding`` (output shape; one affine map shared by all patches; patch n's pixels reach
  token n only; parameter count);
* ``PreLNLayer``: output shape; pre-LN, not post-LN (with every parameter of the layer set to zero
  except the LayerNorms', the layer must return its input unchanged: the residual stream itself is
  never normalised); each sublayer's output added to the residual stream (with those parameters
  still zero, the attention's output bias alone, or the MLP's last bias alone, set to random values
  must give x + that bias; any other bias alone must give x); each image of a batch attended
  separately, and every token attending to the others; dropout active in train mode and off in eval
  mode; parameter count;
* ``ViT``: output shape and exact parameter count at the seed configuration and at others; the
  forward pass as the composition described in its docstring (checked with your own submodules,
  reached through the attribute names the docstring fixes); the logits depend on the class token's
  final state only;
* ``vit_param_count`` and ``answer_seed_param_count`` (the closed form, against models and a key);
* ``evaluate`` (on a model the grader builds, with dropout, handed over in train mode);
* ``train_vit`` (on a small model the grader builds and instruments: the DataLoader, the order
  zero_grad -> backward -> step, train mode while training, eval mode and no gradients while
  evaluating, raw logits into the loss, the history it returns), and once end to end: a small
  ``ViT`` trained on the 8x8 digits must reach the accuracy threshold on held-out digits;
* ``plot_history`` (a PNG that opens and shows the curves).

Graded by hand (write it up as the problem set asks):

* the test accuracy of the seed configuration on MNIST after 10 epochs (train it on your own
  machine, with MNIST, not in the autograder), and the plot of the training and validation losses
  per epoch, with a sentence on what the two curves show (does the model overfit? when does the
  validation loss stop improving?).
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


# ============================================================================= patches
def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut images into non-overlapping square patches and flatten every patch.

    Args:
    - images: shape (B, C, H, W), H and W multiples of ``patch_size``
    - patch_size: the side p of a patch

    Returns:
    - shape (B, N, C * p * p) with N = (H / p) * (W / p): row n is patch n in row-major order,
      flattened channels first, then rows, then columns (see the conventions)
    """
    # BEGIN SOLUTION
    B, C, H, W = images.shape
    p = int(patch_size)
    blocks = images.reshape(B, C, H // p, p, W // p, p)            # b, c, i, r, j, s
    return blocks.permute(0, 2, 4, 1, 3, 5).reshape(B, (H // p) * (W // p), C * p * p)
    # END SOLUTION


class PatchEmbedding(nn.Module):
    """Maps every patch to a ``dim``-vector with one affine map shared by all patches.

    ``PatchEmbedding(patch_size, in_channels, dim)`` has C * p * p * dim weights and dim biases and
    no other parameters (an ``nn.Linear(C * p * p, dim)`` on ``patchify``'s rows, or an
    ``nn.Conv2d(C, dim, kernel_size=p, stride=p)``: both are the same map).

    ``forward(images)``: images (B, C, H, W) -> tokens (B, N, dim); token n is the embedding of
    patch n (row-major order, as ``patchify``).
    """

    def __init__(self, patch_size: int, in_channels: int, dim: int):
        super().__init__()
        # BEGIN SOLUTION
        self.patch_size = int(patch_size)
        self.proj = nn.Linear(in_channels * self.patch_size ** 2, dim)
        # END SOLUTION

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return self.proj(patchify(images, self.patch_size))
        # END SOLUTION


# ============================================================================= the encoder layer
class PreLNLayer(nn.Module):
    """A pre-LN transformer encoder layer.

    ``PreLNLayer(dim, heads, mlp_dim, dropout=0.0)``; ``forward(x)`` maps (B, T, dim) to (B, T, dim):

        h   = x + drop(attn(ln1(x)))                      (multi-head self-attention, ``heads`` heads)
        out = h + drop(W2(drop(gelu(W1(ln2(h))))))        (the MLP: W1 is dim -> mlp_dim, W2 back)

    ``ln1`` and ``ln2`` are ``nn.LayerNorm(dim)`` (default eps); ``attn`` has the four projections
    with biases (see the conventions); dropout, with probability ``dropout``, is applied after the
    attention, inside the MLP after the GELU, and after the MLP (``nn.Dropout`` modules, so that it
    is active in train mode and off in eval mode). Each image of the batch is attended separately:
    token t of image b attends to the tokens of image b only, all T of them (no mask). The residual
    stream x, h, out is never normalised inside the layer: that is what makes it pre-LN (a post-LN
    layer computes LN(x + attn(x)) instead).

    Parameters: 2 LayerNorms, the attention's 4 dim x dim weights and 4 biases, W1 and W2 with their
    biases, nothing else.
    """

    def __init__(self, dim: int, heads: int, mlp_dim: int, dropout: float = 0.0):
        super().__init__()
        # BEGIN SOLUTION
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.drop1 = nn.Dropout(dropout)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(mlp_dim, dim), nn.Dropout(dropout))
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        y = self.ln1(x)
        h = x + self.drop1(self.attn(y, y, y, need_weights=False)[0])
        return h + self.mlp(self.ln2(h))
        # END SOLUTION


# ============================================================================= the model
class ViT(nn.Module):
    """The Vision Transformer.

    ``ViT(image_size=28, patch_size=7, in_channels=1, n_classes=10, dim=64, depth=6, heads=8,
    mlp_dim=128, dropout=0.0)`` (the defaults are the seed configuration) for square images of side
    ``image_size``, with N = (image_size / patch_size) ** 2 patches. Keep these attribute names: the
    grader reaches into them.

    - ``self.patch_embed``: ``PatchEmbedding(patch_size, in_channels, dim)``
    - ``self.cls_token``: an ``nn.Parameter`` of shape (1, 1, dim), the class token
    - ``self.pos_embedding``: an ``nn.Parameter`` of shape (1, N + 1, dim), one learned vector per
      position (the class token's position included)
    - ``self.layers``: an ``nn.ModuleList`` (or ``nn.Sequential``) of ``depth`` layers
      ``PreLNLayer(dim, heads, mlp_dim, dropout)``
    - ``self.norm``: ``nn.LayerNorm(dim)``, the final LayerNorm
    - ``self.head``: ``nn.Linear(dim, n_classes)``

    Initialise ``cls_token`` and ``pos_embedding`` with ``torch.randn`` (the grader overwrites them
    with values of its own where it matters). No other parameters.

    ``forward(images)``: images (B, in_channels, image_size, image_size) -> logits (B, n_classes):

        z = cat([cls_token (expanded to B rows), patch_embed(images)], dim=1) + pos_embedding
        z = layers[depth - 1]( ... layers[0](z))
        logits = head(norm(z)[:, 0])                   (the class token's final state only)

    (no dropout outside the layers).
    """

    def __init__(self, image_size: int = 28, patch_size: int = 7, in_channels: int = 1, n_classes: int = 10,
                 dim: int = 64, depth: int = 6, heads: int = 8, mlp_dim: int = 128, dropout: float = 0.0):
        super().__init__()
        # BEGIN SOLUTION
        n_patches = (image_size // patch_size) ** 2
        self.patch_embed = PatchEmbedding(patch_size, in_channels, dim)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.randn(1, n_patches + 1, dim))
        self.layers = nn.ModuleList(PreLNLayer(dim, heads, mlp_dim, dropout) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)
        # END SOLUTION

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        tokens = self.patch_embed(images)                                  # (B, N, D)
        cls = self.cls_token.expand(tokens.shape[0], -1, -1)               # (B, 1, D)
        z = torch.cat([cls, tokens], dim=1) + self.pos_embedding
        for layer in self.layers:
            z = layer(z)
        return self.head(self.norm(z)[:, 0])
        # END SOLUTION


def vit_param_count(image_size: int, patch_size: int, in_channels: int, n_classes: int, dim: int, depth: int,
                    heads: int, mlp_dim: int) -> int:
    """The number of parameters of ``ViT(image_size, patch_size, in_channels, n_classes, dim, depth, heads,
    mlp_dim)``, as a closed form in the arguments (an int; do not build the model).

    Count the patch embedding, the class token, the positional embedding, ``depth`` layers (two
    LayerNorms, the attention, the MLP), the final LayerNorm and the head. ``heads`` does not change
    the count (why?).
    """
    # BEGIN SOLUTION
    n_patches = (image_size // patch_size) ** 2
    embed = in_channels * patch_size ** 2 * dim + dim
    layer = 2 * 2 * dim + (4 * dim * dim + 4 * dim) + (dim * mlp_dim + mlp_dim) + (mlp_dim * dim + dim)
    return embed + dim + (n_patches + 1) * dim + depth * layer + 2 * dim + dim * n_classes + n_classes
    # END SOLUTION


def answer_seed_param_count() -> int:
    """The number of parameters of the seed configuration ``ViT()`` (28x28, patch 7, 1 channel, 10
    classes, dim 64, 6 layers of 8 heads, MLP 128), as an int."""
    # BEGIN SOLUTION
    return 205_962
    # END SOLUTION


# ============================================================================= training
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 256) -> tuple[float, float]:
    """The mean cross-entropy loss and the accuracy of ``model`` on (x, y).

    Args:
    - model: maps a batch of x to logits (B, K)
    - x: inputs, first axis the examples (N, ...); y: int64 labels (N,)
    - batch_size: examples per forward pass (the last batch may be smaller)

    Put the model in eval mode (``model.eval()``: dropout off) and compute without gradients
    (``torch.no_grad()``); the model is left in eval mode. The loss is the mean over all N examples
    of ``nn.CrossEntropyLoss`` of the logits (so a batch counts in proportion to its size).

    Returns:
    - ``(loss, accuracy)``: two Python floats; accuracy is the fraction of the N examples whose
      argmax logit equals the label, in [0, 1]
    """
    # BEGIN SOLUTION
    model.eval()
    total_loss, correct = 0.0, 0
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    with torch.no_grad():
        for start in range(0, len(y), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            logits = model(xb)
            total_loss += float(loss_fn(logits, yb))
            correct += int((logits.argmax(dim=1) == yb).sum())
    return total_loss / len(y), correct / len(y)
    # END SOLUTION


def train_vit(model: nn.Module, x_train: torch.Tensor, y_train: torch.Tensor, x_val: torch.Tensor,
              y_val: torch.Tensor, epochs: int = 10, batch_size: int = 32, lr: float = 1e-3,
              seed: int = 0) -> dict[str, list[float]]:
    """Train ``model`` in place with Adam and cross-entropy; evaluate it after every epoch.

    Args:
    - model: maps a batch of images to logits (B, K), e.g. a ``ViT`` (any model: the grader also
      passes small models of its own)
    - x_train, y_train: training images (N, C, H, W) and int64 labels (N,)
    - x_val, y_val: validation images and labels
    - epochs: passes over the training set; batch_size: examples per mini-batch; lr: Adam's
      learning rate; seed: seeds the shuffling

    Iterate with ``DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
    generator=torch.Generator().manual_seed(seed))`` (one loader, built once: its generator carries on
    from epoch to epoch). Use ``torch.optim.Adam(model.parameters(), lr=lr)`` and
    ``nn.CrossEntropyLoss()`` on the raw logits. Each epoch: ``model.train()``, then for every
    mini-batch zero the gradients, compute the loss, backpropagate, take one optimiser step; then
    ``evaluate(model, x_val, y_val)`` (which switches to eval mode: switch back at the next epoch).

    Returns:
    - a dict of three lists of ``epochs`` Python floats each:
      ``"train_loss"``: the mean training loss of every epoch, over its mini-batches as they were
      trained (each batch's loss weighted by its size; the plain mean over the batches is accepted
      too); ``"val_loss"`` and ``"val_accuracy"``: what ``evaluate`` returned after every epoch
    """
    # BEGIN SOLUTION
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            count += len(yb)
        val_loss, val_accuracy = evaluate(model, x_val, y_val)
        history["train_loss"].append(total / count)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
    return history
    # END SOLUTION


def plot_history(history: dict[str, list[float]], path: str | Path) -> str:
    """Write a PNG of the training curves of ``history`` (as ``train_vit`` returns it).

    Draw the training and the validation loss against the epoch (1, 2, ...) as two lines with a
    legend (the validation accuracy in a second panel or on a second axis is welcome). Use
    matplotlib without a window (``matplotlib.figure.Figure`` with ``FigureCanvasAgg``, or
    ``matplotlib.use("Agg")`` before importing pyplot) and save to ``path`` (the folder exists).

    Returns:
    - ``str(path)``
    """
    # BEGIN SOLUTION
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    epochs = list(range(1, len(history["train_loss"]) + 1))
    fig = Figure(figsize=(8, 3.5), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(epochs, history["train_loss"], "o-", label="training loss")
    ax.plot(epochs, history["val_loss"], "s-", label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.legend()
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.plot(epochs, history["val_accuracy"], "o-", color="C2")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("validation accuracy")
    fig.tight_layout()
    fig.savefig(str(path), format="png")
    return str(path)
    # END SOLUTION


if __name__ == "__main__":
    from autograder.datasets import digits_split

    x_tr, y_tr, x_te, y_te = digits_split(0)
    torch.manual_seed(0)
    vit = ViT(image_size=8, patch_size=2, in_channels=1, n_classes=10, dim=32, depth=2, heads=4, mlp_dim=64)
    hist = train_vit(vit, x_tr, y_tr, x_te, y_te, epochs=8, batch_size=32, lr=2e-3, seed=0)
    print(hist)
    print("plot written to", plot_history(hist, "vit_history.png"))
