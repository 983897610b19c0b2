"""Top-k predictions and class activation maps (CAM).

A classifier such as ResNet-50 ends with: convolutional features -> global average pooling (GAP)
-> one linear layer. Write the last conv activations as A (shape (B, C, h, w)), the linear
layer's weight as W (shape (K, C), one row w_k per class) and its bias as b. Then

    z[b, c]    = mean over (i, j) of A[b, c, i, j]             (GAP)
    s[b, k]    = sum_c W[k, c] * z[b, c] + b[k]                (logits)
    M_k[b,i,j] = sum_c W[k, c] * A[b, c, i, j]                 (the class activation map of class k)

so the logit of class k is the spatial mean of M_k plus b[k]: M_k shows *where* the evidence for
class k sits. This exercise asks for the pieces that turn a classifier into an explanation.

Conventions (fixed for every function below):

* Inputs are batch-first float tensors ``x`` of shape (B, C_in, H, W); a single image is a batch
  of one. Models map ``x`` to logits of shape (B, K).
* "Probabilities" are ``softmax(logits)`` over the class axis (dim 1).
* Ties: when two classes have exactly the same probability (or logit), the one with the LOWER
  class index comes first; ``torch.argmax`` already picks the lowest index, ``torch.topk`` does
  not promise any order among equal values.
* Upsampling is ``F.interpolate(maps, size=(H, W), mode="bilinear", align_corners=False)``, to the
  exact input size (pass ``size=``, not a scale factor).
* Min-max normalisation is done per map, AFTER upsampling: ``(M - min M) / (max M - min M)``, so
  every map has minimum 0 and maximum 1. A constant map (max == min) becomes all zeros.
* Any float dtype is fine for the maps you return; they are compared in float64.

Graded automatically (on small CNNs built by the grader with random weights; they have the same
structure as ResNet-50's head: conv features -> ReLU -> GAP -> ``fc``): ``topk_predictions``,
``normalize_cam``, ``cam_from_activations``, ``class_activation_map``, and ``save_cam_overlay``
(the grader checks that it writes a PNG that opens and shows something).

Graded by hand (write it up as the problem set asks): running ResNet-50 on an animal photo of
your choice, its five most probable labels, the CAM overlay, and what regions seem to drive the
prediction. ``load_resnet50`` below is given code for that part; it needs torchvision and the
pretrained weights, which the autograder does not have, so no test calls it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn


# ----------------------------------------------------------------------------- given code (not graded)
def load_resnet50(weights_path: str | Path | None = None):
    """Pretrained ResNet-50 for the by-hand part: returns ``(model, labels, preprocess)``.

    - ``model``: torchvision's ``resnet50`` in eval mode; its last conv block is ``model.layer4``
      and its classifier ``model.fc``, so ``class_activation_map(model, x, model.layer4)`` works.
    - ``labels``: the 1000 ImageNet class names, index -> name.
    - ``preprocess``: the matching transform (resize, crop, to tensor, normalise) for a PIL image;
      ``x = preprocess(img).unsqueeze(0)`` makes a batch of one.

    With ``weights_path=None`` torchvision downloads the IMAGENET1K_V2 weights (needs internet);
    otherwise ``weights_path`` is a ``state_dict`` saved with ``torch.save(model.state_dict(), ...)``.
    torchvision is imported here, only when this function is called.
    """
    try:
        from torchvision.models import ResNet50_Weights, resnet50
    except Exception as exc:  # not installed, or does not import beside this torch build
        raise RuntimeError("load_resnet50 needs torchvision (pip install torchvision, matching your torch "
                           f"version); it could not be imported: {exc}") from exc
    weights = ResNet50_Weights.IMAGENET1K_V2  # metadata (labels, transforms) needs no download
    if weights_path is None:
        model = resnet50(weights=weights)
    else:
        model = resnet50(weights=None)
        state = torch.load(Path(weights_path), map_location="cpu", weights_only=True)
        model.load_state_dict(state)
    model.eval()
    return model, list(weights.meta["categories"]), weights.transforms()


def _submodule(model: nn.Module, layer: nn.Module | str) -> nn.Module:
    """``layer`` itself, or the submodule of ``model`` with that dotted name (e.g. "layer4")."""
    return model.get_submodule(layer) if isinstance(layer, str) else layer


# ----------------------------------------------------------------------------- Part B: top-k
def topk_predictions(model: nn.Module, x: torch.Tensor, labels: Sequence[str], k: int = 5) -> list:
    """The ``k`` most probable classes of each input, with their probabilities.

    Args:
    - model: a classifier, ``model(x)`` gives logits of shape (B, K); use it as given (no training,
      no gradients needed; putting it in eval mode is the caller's job: do not call ``model.eval()``
      or ``model.train()`` here, the model stays in the mode it was given in)
    - x: inputs, shape (B, C_in, H, W)
    - labels: a sequence of K human-readable class names, ``labels[i]`` names class i
    - k: how many classes to list (k >= 1, 5 when left out); when k > K, list all K classes

    Returns:
    - a Python list with one entry per input; each entry is a list of ``min(k, K)`` pairs
      ``(labels[i], p_i)`` where ``p_i`` is a Python float, the softmax probability of class i.
      Pairs are sorted by probability, largest first; equal probabilities: lower index first.
    """
    # BEGIN SOLUTION
    with torch.no_grad():
        probs = torch.softmax(model(x), dim=1)
    k = min(k, probs.shape[1])
    values, indices = torch.sort(probs, dim=1, descending=True, stable=True)  # stable: ties keep index order
    return [[(labels[int(i)], float(p)) for p, i in zip(row_p[:k], row_i[:k])]
            for row_p, row_i in zip(values, indices)]
    # END SOLUTION


# ----------------------------------------------------------------------------- Part C: CAM
def normalize_cam(maps: torch.Tensor) -> torch.Tensor:
    """Min-max normalise each map to [0, 1].

    Args:
    - maps: shape (B, H, W), B maps

    Returns:
    - a new tensor of the same shape: ``(maps[b] - min) / (max - min)`` with the min and max of that
      map ``b``; a map whose values are all equal becomes all zeros (no NaN). ``maps`` itself is left
      unchanged (no in-place ``-=`` or ``/=`` on it).
    """
    # BEGIN SOLUTION
    flat = maps.flatten(start_dim=1)
    low = flat.amin(dim=1, keepdim=True)
    span = flat.amax(dim=1, keepdim=True) - low
    safe = torch.where(span > 0, span, torch.ones_like(span))
    out = torch.where(span > 0, (flat - low) / safe, torch.zeros_like(flat))
    return out.reshape(maps.shape)
    # END SOLUTION


def cam_from_activations(activations: torch.Tensor, fc_weight: torch.Tensor, classes: torch.Tensor,
                         size: tuple[int, int]) -> torch.Tensor:
    """Class activation maps from stored activations and classifier weights.

    Args:
    - activations: A, the last conv activations, shape (B, C, h, w)
    - fc_weight: W, the final linear layer's weight, shape (K, C)
    - classes: an int64 tensor of shape (B,): map ``b`` is for class ``classes[b]``
    - size: (H, W), the size of the input image

    Returns:
    - shape (B, H, W): for each b, ``M[i, j] = sum_c W[classes[b], c] * A[b, c, i, j]``, upsampled to
      (H, W) with bilinear interpolation (align_corners=False), then min-max normalised to [0, 1]
      (a constant map gives zeros; see ``normalize_cam``).
    """
    # BEGIN SOLUTION
    rows = fc_weight[classes]                                    # (B, C): one weight row per sample
    maps = torch.einsum("bc,bchw->bhw", rows, activations)       # weighted sum of the feature maps
    maps = F.interpolate(maps.unsqueeze(1), size=tuple(int(s) for s in size), mode="bilinear",
                         align_corners=False).squeeze(1)
    return normalize_cam(maps)
    # END SOLUTION


def class_activation_map(model: nn.Module, x: torch.Tensor, target_layer: nn.Module | str,
                         fc_layer: nn.Module | str = "fc", class_idx=None) -> tuple[torch.Tensor, torch.Tensor]:
    """CAMs of a GAP classifier for its predicted classes (or for given ones).

    Args:
    - model: conv features -> GAP -> linear classifier; ``model(x)`` gives logits (B, K)
    - x: inputs, shape (B, C_in, H, W)
    - target_layer: the module whose output is the last conv activation A (before pooling), or its
      dotted name inside ``model``: ``model.layer4`` / ``"layer4"`` for ResNet-50
    - fc_layer: the final ``nn.Linear`` (whose weight is W), or its name; ``"fc"`` by default (other
      models name it otherwise, e.g. ``"classifier"``: use the layer given, not ``model.fc``)
    - class_idx: None for the predicted class of each input (argmax of its logits, lowest index
      on ties), or an int (the same class for all inputs), or B ints (one per input)

    Capture A with a forward hook registered on ``target_layer`` during one forward pass, and remove
    the hook before returning (the model must be left as it was: no hook left, the same train/eval
    mode, requires_grad flags and weights).

    Returns:
    - ``(cams, classes)``: ``cams`` of shape (B, H, W) as in ``cam_from_activations`` and
      ``classes``, an int64 tensor of shape (B,), the class each map explains.
    """
    # BEGIN SOLUTION
    layer = _submodule(model, target_layer)
    fc = _submodule(model, fc_layer)
    captured = {}

    def keep_output(module, inputs, output):
        captured["A"] = output.detach()

    handle = layer.register_forward_hook(keep_output)
    try:
        with torch.no_grad():
            logits = model(x)
    finally:
        handle.remove()
    if class_idx is None:
        classes = logits.argmax(dim=1)
    else:
        classes = torch.as_tensor(class_idx, dtype=torch.long).reshape(-1).expand(x.shape[0]).clone()
    cams = cam_from_activations(captured["A"], fc.weight.detach(), classes, tuple(x.shape[-2:]))
    return cams, classes
    # END SOLUTION


def save_cam_overlay(image: torch.Tensor, cam: torch.Tensor, path: str | Path, alpha: float = 0.5,
                     cmap: str = "jet") -> str:
    """Write a PNG showing ``image`` with ``cam`` as a semi-transparent heat map on top.

    Args:
    - image: shape (3, H, W) (RGB) or (1, H, W) (grey, drawn in grey: ``cmap="gray"``), values in [0, 1]
      (undo any normalisation first)
    - cam: shape (H, W), values in [0, 1]
    - path: where to write the PNG (the folder exists); a ``str`` or a ``pathlib.Path``
    - alpha: opacity of the heat map (0 = only the image, 1 = only the heat map)
    - cmap: a matplotlib colormap name, e.g. "jet" or "hot"

    Use matplotlib with the Agg backend (no window): e.g. ``matplotlib.figure.Figure`` with
    ``FigureCanvasAgg``, or ``matplotlib.use("Agg")`` before importing pyplot; ``imshow`` the image,
    then the map with ``cmap`` and ``alpha``, hide the axes and save. The figure size is up to you.

    Returns:
    - ``str(path)`` (a ``str``, also when ``path`` is a ``pathlib.Path``)
    """
    # BEGIN SOLUTION
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    picture = image.detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
    heat = cam.detach().float().cpu().numpy()
    fig = Figure(figsize=(4, 4 * picture.shape[0] / picture.shape[1]), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    if picture.shape[2] == 1:
        ax.imshow(picture[:, :, 0], cmap="gray", vmin=0, vmax=1)
    else:
        ax.imshow(picture)
    ax.imshow(heat, cmap=cmap, alpha=alpha, vmin=0, vmax=1)
    ax.set_axis_off()
    fig.savefig(str(path), format="png")
    return str(path)
    # END SOLUTION
