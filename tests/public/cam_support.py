"""Shared by the public and hidden CAM tests: hints, small models, strategies, probes and oracles.

The grader never needs torchvision or pretrained weights: it grades on small CNNs with the same
head as ResNet-50 (conv features -> ReLU -> global average pool -> ``fc``), built here from a seed.
A model is built twice from the same spec: in the worker (by a probe, where the student's function
gets the real ``nn.Module``) and in the grader (where the oracle hooks it itself).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

from autograder.checks import Mismatch, assert_close, exceeds, fail, png_pixels

EXERCISE = "cam"

HINTS = {
    "softmax_missing": "these numbers are the raw logits: turn them into probabilities with a softmax over "
                       "the classes (dim=1) before picking and reporting the top k.",
    "log_softmax": "these numbers are log-probabilities (log_softmax): report the probabilities themselves.",
    "softmax_wrong_dim": "the softmax was taken over the batch (dim=0): each input's probabilities must sum to "
                         "1 over its K classes, so use dim=1.",
    "tie_order": "classes with exactly equal probability must be listed lower index first; torch.topk does not "
                 "promise any order among equal values (a stable sort does).",
    "not_sorted": "the pairs must be sorted by probability, largest first.",
    "class_zero_row": "the map uses the FC weight row of class 0 for every input; CAM weights the feature maps "
                      "with the row of the class being explained (the argmax of that input's logits).",
    "lowest_class_row": "the map uses the FC row of the LOWEST-scoring class (argmin, or an ascending sort); "
                        "CAM for the prediction uses the row of the highest logit (argmax over dim 1).",
    "wrong_class": "the class chosen for some input is not the argmax of its logits (lowest index on ties), "
                   "or not the class asked for with class_idx.",
    "not_normalised": "the map is not min-max normalised: after upsampling, subtract each map's minimum and "
                      "divide by its (max - min), so that it runs from exactly 0 to 1.",
    "min_not_subtracted": "the map was only divided by its maximum; min-max normalisation first subtracts the "
                          "minimum, so that the smallest value becomes 0.",
    "per_map": "the minimum and maximum were taken over the whole batch; normalise each map with its own "
               "minimum and maximum.",
    "constant_map": "a constant map has max - min = 0, so dividing by it gives NaN; return zeros for it.",
    "normalise_after_upsampling": "the map was normalised before upsampling; upsample first, then min-max "
                                  "normalise, so that the final map has minimum 0 and maximum 1.",
    "nearest_upsampling": "the map was upsampled with mode='nearest' (blocky); use mode='bilinear'.",
    "align_corners": "bilinear upsampling here uses align_corners=False (PyTorch's default), not True.",
    "bicubic_upsampling": "the map was upsampled with mode='bicubic'; use mode='bilinear'.",
    "relu_on_cam": "a ReLU (or clamp at 0) was applied to the map before normalising; plain CAM keeps the "
                   "negative evidence and min-max normalises the whole weighted sum.",
    "wrong_output_size": "upsample to the input's exact (H, W) with size=(H, W); a scale factor misses sizes "
                         "that are not a multiple of the feature map's size.",
    "size_swapped": "the maps were upsampled to (W, H) instead of (H, W): x.shape[-2:] is (height, width), and "
                    "F.interpolate's size= takes (height, width) in that order.",
    "fc_layer_ignored": "the maps use the weights of model.fc although fc_layer names another layer: take W from "
                        "the fc_layer argument (a module, or a name to look up with model.get_submodule).",
    "class_idx_zero": "class_idx=0 was treated like class_idx=None (the predicted class was explained instead of "
                      "class 0): test `class_idx is None`, not `if class_idx:` or `if not class_idx:` (0 is falsy).",
    "model_state_changed": "leave the model as it was given: do not call model.eval() or model.train(), do not "
                           "change requires_grad or the weights (torch.no_grad() is enough to skip gradients).",
    "input_modified": "the maps passed in were changed in place (e.g. maps -= ..., maps /= ...); compute on new "
                      "tensors (maps - low) / span and leave the argument as it was.",
    "probability_type": "each probability must be a plain Python float: use float(p) (or p.item()), not the "
                        "0-dimensional tensor itself.",
    "overlay_alpha": "the picture does not follow alpha: pass alpha= to the imshow of the heat map (alpha=0: only "
                     "the image is visible, alpha=1: only the heat map).",
    "overlay_cmap": "the picture does not follow cmap: pass cmap= (the name given) to the imshow of the heat map.",
    "overlay_grey": "a one-channel image must be drawn in grey: imshow(image[0], cmap=\"gray\", vmin=0, vmax=1); "
                    "without cmap, matplotlib shows a 2-D array in false colours (viridis).",
    "overlay_return": "save_cam_overlay must return str(path), the path it wrote, as a str (also when path is a "
                      "pathlib.Path).",
    "features_after_pooling": "the map is (almost) constant before normalisation, as if the activations were "
                              "taken after global average pooling (shape (B, C, 1, 1)); hook the last conv "
                              "layer (e.g. model.features or model.layer4) to get A with its spatial extent.",
    "hook_not_removed": "a forward hook is still registered on the model after the call; keep the handle "
                        "that register_forward_hook returns and call handle.remove() (in a finally block).",
    "overlay": "save_cam_overlay must write a PNG image (matplotlib with the Agg backend, fig.savefig(path)) "
               "that shows the image with the heat map on top.",
}

LABELS = ["tabby cat", "golden retriever", "red fox", "barn owl", "goldfish", "bullfrog", "king penguin",
          "koala", "zebra", "hippopotamus", "giant panda", "monarch butterfly", "ladybug", "hermit crab",
          "flamingo", "border collie", "snow leopard", "sea lion", "hedgehog", "meerkat"]


def labels_for(num_classes: int) -> list[str]:
    """``num_classes`` distinct human-readable labels (animal names, then numbered ones)."""
    return [LABELS[i] if i < len(LABELS) else f"species {i:04d}" for i in range(num_classes)]


# ---------------------------------------------------------------- small models with ResNet-50's head
class SmallCNN(nn.Module):
    """features (conv-ReLU-maxpool-conv-ReLU) -> GAP -> fc, like the small models of the course."""

    def __init__(self, in_channels: int, width: int, num_classes: int):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU())
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, num_classes)
        self.head = "fc"

    def forward(self, x):
        return getattr(self, self.head)(torch.flatten(self.avgpool(self.features(x)), 1))


class BasicBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1)
        self.downsample = nn.Conv2d(in_channels, out_channels, 1, stride)

    def forward(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))) + self.downsample(x))


class TinyResNet(nn.Module):
    """ResNet-style names: conv1 -> layer4 (a residual block, ReLU at the end) -> avgpool -> fc."""

    def __init__(self, in_channels: int, width: int, num_classes: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, 2, 1)
        self.relu = nn.ReLU()
        self.layer4 = nn.Sequential(BasicBlock(width, 2 * width, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(2 * width, num_classes)
        self.head = "fc"

    def forward(self, x):
        return getattr(self, self.head)(torch.flatten(self.avgpool(self.layer4(self.relu(self.conv1(x)))), 1))


TARGET_LAYER = {"small": "features", "resnet": "layer4"}


def build_model(spec: dict) -> nn.Module:
    """The model described by ``spec`` (arch, seed, in_channels, width, num_classes, and optionally
    ``zero_rows``: classes whose FC row and bias are 0, ``tie_rows``: classes with a zero FC row and
    bias 8, so that they tie for the top; ``head="classifier"``: the classifier is ``model.classifier``
    and ``model.fc`` is an unused decoy of the same shape, with other weights)."""
    cls = {"small": SmallCNN, "resnet": TinyResNet}[spec["arch"]]
    model = cls(spec["in_channels"], spec["width"], spec["num_classes"])
    if spec.get("head", "fc") != "fc":
        model.classifier = model.fc                 # registered before the decoy: the decoy is the last Linear
        del model.fc
        model.fc = nn.Linear(model.classifier.in_features, model.classifier.out_features)
        model.head = "classifier"
    g = torch.Generator().manual_seed(int(spec["seed"]))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                gain = 2.5 if name.startswith("fc") else math.sqrt(2.0)  # fc: spread-out probabilities
                p.copy_(torch.randn(p.shape, generator=g) * gain / math.sqrt(p[0].numel()))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
        head = model.get_submodule(model.head)
        for k in spec.get("zero_rows", ()):
            head.weight[k] = 0.0
            head.bias[k] = 0.0
        for k in spec.get("tie_rows", ()):
            head.weight[k] = 0.0
            head.bias[k] = 8.0
    return model.eval()


def make_input(spec: dict, inputs: dict) -> torch.Tensor:
    """The batch described by ``inputs`` (batch, height, width, seed): uniform values in [0, 1]."""
    g = torch.Generator().manual_seed(int(inputs["seed"]))
    return torch.rand(inputs["batch"], spec["in_channels"], inputs["height"], inputs["width"], generator=g)


@st.composite
def model_cases(draw, archs=("small", "resnet"), max_batch=3, max_classes=12, max_width=8, sides=(4, 40)):
    """(spec, inputs) for a small model with random weights and a random image batch (see make_input);
    plain dicts, so that a failing case prints compactly."""
    spec = dict(arch=draw(st.sampled_from(archs), label="arch"),
                seed=draw(st.integers(0, 2**31 - 1), label="model seed"),
                in_channels=draw(st.sampled_from([1, 3]), label="in channels"),
                width=draw(st.integers(2, max_width), label="width"),
                num_classes=draw(st.integers(2, max_classes), label="classes"))
    inputs = dict(batch=draw(st.integers(1, max_batch), label="batch"),
                  height=draw(st.integers(*sides), label="H"), width=draw(st.integers(*sides), label="W"),
                  seed=draw(st.integers(0, 2**31 - 1), label="input seed"))
    return spec, inputs


def clear_winner(logits: torch.Tensor, gap: float = 1e-4) -> bool:
    """True when each input's top logit beats the runner-up by ``gap``: then the argmax cannot depend on
    float rounding (the grader's and the worker's forward passes may round differently)."""
    if logits.shape[1] < 2:
        return True
    top2 = torch.topk(logits.double(), 2, dim=1).values
    return bool((top2[:, 0] - top2[:, 1] > gap).all())


def describe_case(spec: dict, x: torch.Tensor) -> str:
    arch = {"small": "SmallCNN (features -> GAP -> fc)", "resnet": "TinyResNet (conv1 -> layer4 -> GAP -> fc)"}
    extra = "".join(f", {k}={spec[k]}" for k in ("zero_rows", "tie_rows") if spec.get(k))
    if spec.get("head", "fc") != "fc":
        extra += (f", classifier named {spec['head']!r} (model.{spec['head']}; the model also has an unused "
                  "nn.Linear model.fc of the same shape)")
    return (f"{arch[spec['arch']]} with seed {spec['seed']}, {spec['in_channels']} input channel(s), "
            f"{2 * spec['width']} feature channels, {spec['num_classes']} classes{extra}; "
            f"x of shape {tuple(x.shape)} (uniform in [0, 1])")


# ---------------------------------------------------------------- probes (run beside the student code)
def model_state(model: nn.Module) -> dict:
    """What a call must leave as it was: each module's train/eval flag, each parameter's requires_grad,
    values and dtype, and the hooks registered."""
    return {"training": {n: m.training for n, m in model.named_modules()},
            "requires_grad": {n: p.requires_grad for n, p in model.named_parameters()},
            "params": {n: p.detach().clone() for n, p in model.state_dict().items()},
            "hooks": sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
                         for m in model.modules())}


def state_changes(before: dict, model: nn.Module) -> list[str]:
    """Plain-words list of what differs between ``before`` (model_state) and ``model`` now (hooks apart)."""
    after = model_state(model)
    out = []
    flips = [n or "model" for n, t in before["training"].items() if after["training"].get(n) != t]
    if flips:
        was = "train" if before["training"][""] else "eval"
        out.append(f"the model was in {was} mode and the call changed the mode of {len(flips)} module(s) "
                   f"({', '.join(flips[:3])}{', ...' if len(flips) > 3 else ''})")
    grads = [n for n, r in before["requires_grad"].items() if after["requires_grad"].get(n) != r]
    if grads:
        out.append(f"requires_grad of {len(grads)} parameter(s) changed ({', '.join(grads[:3])}"
                   f"{', ...' if len(grads) > 3 else ''})")
    p0, p1 = before["params"], after["params"]
    if set(p0) != set(p1) or any(p0[k].dtype != p1[k].dtype or not torch.equal(p0[k], p1[k]) for k in p0):
        out.append("its parameters changed (values or dtype)")
    return out


def probe_topk(module, spec: dict, x: torch.Tensor, labels: list, k: int | None, mode: str = "eval"):
    """topk_predictions on a model built here, in the student's process (k=None: called without k);
    the model starts in ``mode``; returns the result and what the call changed on the model."""
    model = build_model(spec)
    model.train(mode == "train")
    before = model_state(model)
    result = module.topk_predictions(model, x, labels) if k is None else module.topk_predictions(model, x, labels, k)
    return {"result": result, "changes": state_changes(before, model)}


probe_topk.describes = "topk_predictions"


def probe_cam(module, spec: dict, x: torch.Tensor, layer_as: str, class_idx=None, fc_as: str = "default",
              mode: str = "eval"):
    """class_activation_map on a model built here (starting in ``mode``); also counts the hooks left on the
    model and lists what else the call changed on it."""
    model = build_model(spec)
    model.train(mode == "train")
    before = model_state(model)
    name = TARGET_LAYER[spec["arch"]]
    layer = model.get_submodule(name) if layer_as == "module" else name
    kwargs = {} if class_idx is None else {"class_idx": class_idx}
    head = spec.get("head", "fc")
    if fc_as == "module":
        kwargs["fc_layer"] = model.get_submodule(head)
    elif fc_as == "name":
        kwargs["fc_layer"] = head
    result = module.class_activation_map(model, x, layer, **kwargs)
    hooks = sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())
    return {"result": result, "hooks_left": hooks, "changes": state_changes(before, model)}


probe_cam.describes = "class_activation_map"


def probe_overlay(module, calls: list):
    """save_cam_overlay into a fresh temporary folder, once per call ``(image, cam, alpha, cmap, as_path)``
    (``as_path``: the path is given as a ``pathlib.Path``, else as a str); returns, per call, the file's bytes
    (or None) and whether the value returned was ``str(path)``."""
    import os
    import pathlib
    import shutil
    import tempfile

    import numpy as np

    folder = tempfile.mkdtemp(prefix="cam_overlay_")
    try:
        files = []
        for i, (image, cam, alpha, cmap, as_path) in enumerate(calls):
            path = os.path.join(folder, f"overlay_{i}.png")
            returned = module.save_cam_overlay(image, cam, pathlib.Path(path) if as_path else path, alpha=alpha,
                                               cmap=cmap)
            data = None
            if os.path.isfile(path):
                with open(path, "rb") as fh:
                    data = np.frombuffer(fh.read(), dtype=np.uint8).copy()
            files.append({"data": data, "returned_path": isinstance(returned, str) and returned == path,
                          "returned": repr(returned)[:200]})
        return files
    finally:
        shutil.rmtree(folder, ignore_errors=True)


probe_overlay.describes = "save_cam_overlay"


def probe_normalize(module, maps: torch.Tensor):
    """normalize_cam on ``maps``; also whether ``maps`` was modified in place."""
    given = maps.clone()
    out = module.normalize_cam(given)
    if isinstance(out, torch.Tensor):
        out = out.detach().clone()
    return {"out": out, "input_changed": not torch.equal(given, maps)}


probe_normalize.describes = "normalize_cam"


# ---------------------------------------------------------------- oracles (grader side)
def forward_with_activations(spec: dict, x: torch.Tensor, layer: str | None = None):
    """(A, fc weight, logits) of the model ``spec`` on ``x``: A from a forward hook on ``layer``."""
    model = build_model(spec)
    store = []
    handle = model.get_submodule(layer or TARGET_LAYER[spec["arch"]]).register_forward_hook(
        lambda m, i, o: store.append(o.detach()))
    try:
        with torch.no_grad():
            logits = model(x)
    finally:
        handle.remove()
    return store[-1], model.get_submodule(model.head).weight.detach().clone(), logits


def upsample(maps: torch.Tensor, size, mode: str = "bilinear", align_corners: bool | None = False):
    kwargs = {} if mode == "nearest" else {"align_corners": align_corners}
    return F.interpolate(maps.unsqueeze(1), size=tuple(size), mode=mode, **kwargs).squeeze(1)


def min_max(maps: torch.Tensor, per_map: bool = True) -> torch.Tensor:
    flat = maps.flatten(1) if per_map else maps.reshape(1, -1)
    low, high = flat.amin(1, keepdim=True), flat.amax(1, keepdim=True)
    span = high - low
    out = torch.where(span > 0, (flat - low) / torch.where(span > 0, span, 1), 0)
    return out.reshape(maps.shape)


def raw_cam(A: torch.Tensor, W: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """Weighted sums at feature resolution, in float64."""
    return torch.einsum("bc,bchw->bhw", W.double()[classes], A.double())


def oracle_cam(A, W, classes, size) -> torch.Tensor:
    """CAM as the exercise defines it, in float64: weighted sum, bilinear upsampling, min-max."""
    return min_max(upsample(raw_cam(A, W, classes), size))


def cam_tolerance(A, W, classes, size) -> float:
    """Absolute tolerance for normalised maps computed in float32.

    Rounding in the weighted sum and the interpolation is at most a few float32 ulps of
    S = sum_c |w_c| |A_c| per pixel; min-max division by the map's range R scales it by 1/R, so
    the allowed error is 1e-5 + 64 * 2^-23 * max S / R (taken over the maps with R > 0).
    """
    mags = upsample(torch.einsum("bc,bchw->bhw", W.double()[classes].abs(), A.double().abs()), size)
    raw = upsample(raw_cam(A, W, classes), size)
    flat = raw.flatten(1)
    ranges = flat.amax(1) - flat.amin(1)
    scale = mags.flatten(1).amax(1)
    ok = ranges > 0
    worst = float((scale[ok] / ranges[ok]).max()) if ok.any() else 0.0
    return 1e-5 + 64 * 2.0**-23 * worst


def cam_variants(A, W, classes, size, logits=None, decoy_W=None) -> dict[str, torch.Tensor]:
    """What known misconceptions give, by hint id (float64, (B, H, W)); ``decoy_W``: the weight of the
    unused model.fc when the classifier has another name."""
    raw_small = raw_cam(A, W, classes)
    raw = upsample(raw_small, size)
    out = {
        "not_normalised": raw,
        "min_not_subtracted": raw / raw.flatten(1).amax(1).clamp_min(1e-300)[:, None, None],
        "per_map": min_max(raw, per_map=False),
        "normalise_after_upsampling": upsample(min_max(raw_small), size),
        "nearest_upsampling": min_max(upsample(raw_small, size, "nearest")),
        "align_corners": min_max(upsample(raw_small, size, "bilinear", True)),
        "bicubic_upsampling": min_max(upsample(raw_small, size, "bicubic", False)),
        "relu_on_cam": min_max(upsample(raw_small.clamp_min(0), size)),
    }
    if decoy_W is not None:
        out["fc_layer_ignored"] = oracle_cam(A, decoy_W, classes, size)
    if logits is not None:
        zeros = torch.zeros_like(classes)
        out["class_zero_row"] = oracle_cam(A, W, zeros, size)
        out["lowest_class_row"] = oracle_cam(A, W, logits.argmin(1), size)
    return out


def _as_float64(value) -> torch.Tensor | None:
    try:
        if isinstance(value, torch.Tensor):
            return value.detach().to(torch.float64)
        import numpy as np

        arr = np.asarray(value, dtype=np.float64)
        return torch.from_numpy(arr)
    except Exception:
        return None


def diagnose_cam(got: torch.Tensor, expected: torch.Tensor, variants: dict, atol: float,
                 from_model: bool = False) -> str | None:
    """The hint of the misconception whose result ``got`` matches (and the right answer does not), when exactly one
    does (when this input cannot tell two apart, none is named)."""
    found = []
    for hint, wrong in variants.items():
        if wrong.shape != got.shape or not torch.isfinite(wrong).all():
            continue
        if not torch.allclose(wrong, expected, rtol=0, atol=atol) and torch.allclose(got, wrong, rtol=0, atol=atol):
            found.append(hint)
    if found:
        return found[0] if len(found) == 1 else None
    if from_model:
        # A map that was constant before min-max comes out all zeros, or as a few levels of rounding noise.
        for b in range(got.shape[0]):
            if got[b].unique().numel() <= 16 < expected[b].unique().numel():
                return "features_after_pooling"
    if nan_only_on_constant_maps(got, expected, atol):
        return "constant_map"
    return None


def nan_only_on_constant_maps(got: torch.Tensor, expected: torch.Tensor, atol: float) -> bool:
    """True when the maps that should be all zeros (constant before normalisation) are NaN and every other map
    is right: then 0 / 0 on the constant maps is the one thing wrong."""
    if got.shape != expected.shape or got.dim() != 3:
        return False
    nan_maps = torch.isnan(got).flatten(1).any(1)
    zero_maps = (expected.flatten(1) == 0).all(1)
    if not nan_maps.any() or not torch.equal(nan_maps, zero_maps & nan_maps) or not torch.isnan(got[nan_maps]).all():
        return False
    rest = ~nan_maps
    return bool(rest.any()) and bool(torch.allclose(got[rest], expected[rest], rtol=0, atol=atol))


def size_variants(feature_hw, size, batch: int) -> dict[str, tuple]:
    """The output shapes that known misconceptions give: (W, H), and the scale-factor size
    (h * (H // h), w * (W // w)); a shape is an exact reproduction of its misconception."""
    (h, w), (H, W) = tuple(feature_hw), tuple(size)
    out = {}
    if H != W:
        out["size_swapped"] = (batch, W, H)
    if h and w and H // h and W // w:
        out["wrong_output_size"] = (batch, h * (H // h), w * (W // w))
    return out


def check_cam_values(got, expected: torch.Tensor, what: str, *, variants: dict, atol: float,
                     reveal: bool = True, from_model: bool = False, shape_variants: dict | None = None) -> None:
    """Shape first (a hint when the shape is the one a known misconception gives), then values with a hint."""
    g = _as_float64(got)
    if g is None:
        fail(what, got, "a tensor of shape " + str(tuple(expected.shape)), reveal=True,
             detail="  (the value returned is not a tensor)")
    if g.shape != expected.shape:
        hint = None
        if shape_variants and g.dim() == 3:
            hint = next((h for h, shape in shape_variants.items() if tuple(g.shape) == tuple(shape)
                         and tuple(shape) != tuple(expected.shape)), None)
        assert_close(g, expected, what, hint=hint, hints=HINTS, reveal=reveal)
    hint = None
    if not torch.allclose(g, expected, rtol=0, atol=atol, equal_nan=False):
        hint = diagnose_cam(g, expected, variants, atol, from_model)
    assert_close(g, expected, what, rtol=0, atol=atol, reveal=reveal, hint=hint, hints=HINTS)


def check_classes(got, expected: torch.Tensor, logits: torch.Tensor, what: str, reveal: bool = True) -> None:
    """The classes a CAM call says it explains: integers, shape (B,), equal to ``expected``."""
    try:
        g = torch.as_tensor(got)
    except Exception:
        g = None
    if g is None or tuple(g.shape) != tuple(expected.shape) or g.dtype.is_floating_point or g.dtype == torch.bool:
        raise Mismatch(f"{what}\n  classes should be an int64 tensor of shape {tuple(expected.shape)}\n"
                       f"  got: {got!r}"[:1500])
    if not torch.equal(g.long(), expected):
        hint = "lowest_class_row" if torch.equal(g.long(), logits.argmin(1)) else "wrong_class"
        shown = f"  expected: {expected.tolist()}\n" if reveal else ""
        raise Mismatch(f"{what}: the classes explained\n{shown}  got:      {g.tolist()}\n"
                       f"Hint: {HINTS[hint]}"[:3000])


def check_requested_classes(got, class_idx, logits: torch.Tensor, what: str, reveal: bool = True) -> torch.Tensor:
    """The classes a CAM call with ``class_idx`` (an int or B ints) explains; class_idx=0 taken for None is
    named only when the classes returned are exactly the predicted ones (and class 0 is not)."""
    batch = logits.shape[0]
    expected = torch.as_tensor(class_idx, dtype=torch.long).reshape(-1).expand(batch).clone()
    try:
        g = torch.as_tensor(got).long()
    except Exception:
        g = None
    predicted = logits.argmax(1)
    if (isinstance(class_idx, int) and class_idx == 0 and g is not None and g.shape == expected.shape
            and torch.equal(g, predicted) and not torch.equal(expected, predicted)):
        raise Mismatch(f"{what}: the classes explained\n  got: {g.tolist()} (the predicted classes; class 0 was "
                       f"asked for)\nHint: {HINTS['class_idx_zero']}")
    check_classes(got, expected, logits, what, reveal=reveal)
    return expected


def check_model_left_alone(hooks_left: int, changes: list, what: str) -> None:
    if hooks_left:
        raise Mismatch(f"{what}\n  {hooks_left} hook(s) are still registered on the model after the call\n"
                       f"Hint: {HINTS['hook_not_removed']}")
    if changes:
        raise Mismatch(f"{what}\n  the maps are right, but after the call: " + "; ".join(changes)
                       + f"\nHint: {HINTS['model_state_changed']}")


def check_map_properties(got, shape: tuple, what: str, nonconstant: torch.Tensor,
                         expected: torch.Tensor | None = None, atol: float = 1e-5,
                         shape_variants: dict | None = None) -> None:
    """Shape (B, H, W), finite, inside [0, 1], each map's min exactly 0 and, where the true map is not
    constant, max 1 (a few float32 ulps allowed: (M - min) * (1 / range) is fine too); constant maps zero."""
    g = _as_float64(got)
    if g is None:
        raise Mismatch(f"{what}\n  expected a tensor of shape {shape}\n  got: {got!r}")
    if tuple(g.shape) != tuple(shape):
        hint = next((h for h, s in (shape_variants or {}).items() if tuple(s) == tuple(g.shape)), None)
        raise Mismatch(f"{what}\n  expected shape: {tuple(shape)} (B, H, W of the input)\n  got shape:      "
                       f"{tuple(g.shape)}" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    if not torch.isfinite(g).all():
        bad = [b for b in range(g.shape[0]) if not torch.isfinite(g[b]).all()]
        # the cause is named only when exactly the maps that come from constant maps are NaN
        good = [b for b in range(g.shape[0]) if b not in bad]
        hint = "constant_map" if (good and all(not nonconstant[b] and torch.isnan(g[b]).all() for b in bad)
                                  and all(nonconstant[b] for b in good) and expected is not None
                                  and all(torch.allclose(g[b], expected[b], rtol=0, atol=atol) for b in good)) \
            else None
        raise Mismatch(f"{what}\n  the maps contain NaN or inf (map(s) {bad}; "
                       f"{'each of them comes from a constant map' if hint else 'see which ones'})"
                       + (f"\nHint: {HINTS[hint]}" if hint else ""))
    for b in range(g.shape[0]):
        low, high = float(g[b].min()), float(g[b].max())
        if not nonconstant[b]:
            if low != 0 or high != 0:
                raise Mismatch(f"{what}\n  map {b} comes from a constant map (max == min before normalisation) "
                               f"and must be all zeros; got values in [{low!r}, {high!r}]")
            continue
        if low != 0.0 or exceeds(abs(high - 1.0), 1e-6):
            raise Mismatch(f"{what}\n  map {b} should run from exactly 0 to 1 (min-max normalised); "
                           f"got min {low!r}, max {high!r}")


# ---------------------------------------------------------------- top-k
def check_topk(got, logits: torch.Tensor, labels: list, k: int, what: str, *, reveal: bool = True,
               exact_order: bool = False, python_floats: bool = False) -> None:
    """Structure, probabilities of the named classes, sortedness, and that they are a top-k set.

    Probabilities are compared with the float64 softmax of the logits, with float32 tolerances. With
    ``exact_order`` (inputs built to have exact ties) the label order must also be the expected one; with
    ``python_floats`` a probability given as a tensor fails (elsewhere any number is read).
    """
    logits = logits.double()
    probs = torch.softmax(logits, dim=1)
    batch, num_classes = probs.shape
    n = min(k, num_classes)
    rtol, atol = 1.3e-6, 1e-5
    if not isinstance(got, (list, tuple)) or len(got) != batch:
        raise Mismatch(f"{what}\n  expected a list with one entry per input ({batch})\n  got: {got!r}"[:1500])
    index = {label: i for i, label in enumerate(labels)}
    for b, row in enumerate(got):
        where = f"{what}, input {b}"
        if not isinstance(row, (list, tuple)) or len(row) != n:
            raise Mismatch(f"{where}\n  expected a list of {n} (label, probability) pairs"
                           + (f" (k={k} > K={num_classes}: all K classes)" if k > num_classes else "")
                           + f"\n  got: {row!r}"[:1500])
        names, values = [], []
        for pair in row:
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], str)
                    and pair[0] in index):
                raise Mismatch(f"{where}\n  each entry must be a pair (label, probability) with a label from "
                               f"the given list\n  got entry: {pair!r}"[:1500])
            if python_floats and isinstance(pair[1], torch.Tensor):
                raise Mismatch(f"{where}\n  the probability of {pair[0]!r} is a tensor ({pair[1]!r}), not a Python "
                               f"float\nHint: {HINTS['probability_type']}"[:1500])
            try:
                values.append(float(pair[1]))
            except (TypeError, ValueError):
                raise Mismatch(f"{where}\n  the probability of {pair[0]!r} is not a number: "
                               f"{pair[1]!r}"[:1500]) from None
            names.append(pair[0])
        if len(set(names)) != len(names):
            raise Mismatch(f"{where}\n  a label is listed twice: {names!r}")
        idx = torch.tensor([index[s] for s in names])
        vals = torch.tensor(values, dtype=torch.float64)
        truth = probs[b, idx]
        if not torch.allclose(vals, truth, rtol=rtol, atol=atol):
            hint = None
            wrong = {"softmax_missing": logits[b, idx], "log_softmax": torch.log_softmax(logits, 1)[b, idx],
                     "softmax_wrong_dim": torch.softmax(logits, 0)[b, idx]}
            for h, v in wrong.items():
                if (h != "softmax_wrong_dim" or batch > 1) and torch.allclose(vals, v, rtol=rtol, atol=atol):
                    hint = h
                    break
            assert_close(vals, truth, f"{where}: probabilities of the classes {names!r}", rtol=rtol, atol=atol,
                         reveal=reveal, hint=hint, hints=HINTS)
        if any(values[i] < values[i + 1] for i in range(n - 1)):
            raise Mismatch(f"{where}\n  the pairs are not sorted by probability, largest first\n  got: "
                           f"{list(zip(names, values))!r}\nHint: {HINTS['not_sorted']}"[:2000])
        best = torch.sort(probs[b], descending=True, stable=True)
        assert_close(vals, best.values[:n], f"{where}: the {n} probabilities listed are not the {n} largest",
                     rtol=rtol, atol=atol, reveal=reveal)
        if exact_order:
            expected_names = [labels[int(i)] for i in best.indices[:n]]
            if names != expected_names:
                tie = sorted(names) == sorted(expected_names)
                fail(f"{where}: the order of the labels (ties: lower class index first)", names, expected_names,
                     reveal=reveal, hint="tie_order" if tie else None, hints=HINTS)
        if sum(values) > 1 + 1e-5:
            raise Mismatch(f"{where}\n  the listed probabilities add up to {sum(values)!r} > 1")


# ---------------------------------------------------------------- overlay
def check_png(data, what: str):
    """The PNG written: opens, 16 to 4096 pixels a side, not one flat colour (checks.png_pixels)."""
    return png_pixels(data, what, HINTS['overlay'], min_side=16, max_side=4096)


def _differs(a, b, level: int = 8, share: float = 0.005) -> bool:
    """True when more than ``share`` of the pixels differ by more than ``level`` in some channel (or the sizes
    differ)."""
    import numpy as np

    if a.shape != b.shape:
        return True
    return float((np.abs(a.astype(int) - b.astype(int)).max(axis=-1) > level).mean()) > share  # nan-safe: uint8 pixels


def _coloured_share(pixels) -> float:
    """The share of pixels that are not grey (channels more than 10 apart)."""
    p = pixels.astype(int)
    return float(((p.max(axis=-1) - p.min(axis=-1)) > 10).mean())


def overlay_calls(image, other_image, cam, cmap):
    """The calls the overlay test makes (see check_overlays): (image, cam, alpha, cmap, path as pathlib.Path)."""
    mirrored = cam.flip(-1)
    return [(image, cam, 0.5, cmap, False), (image, mirrored, 0.5, cmap, True),
            (image, cam, 0.0, cmap, False), (image, mirrored, 0.0, cmap, False),
            (image, cam, 1.0, "gray", False), (other_image, cam, 1.0, "gray", False)]


def check_overlays(files: list, calls: list, what: str) -> None:
    """The PNGs of ``overlay_calls``: each opens; the value returned is str(path); the map is drawn (mirroring it
    changes the picture at alpha=0.5); alpha=0 shows the image only (mirroring the map changes nothing, and the
    image's dark-to-bright ramp shows from left to right) and a grey image in grey; alpha=1 shows the map only (another image changes nothing); cmap="gray" gives greys."""
    def call(i):
        image, cam, alpha, cmap, as_path = calls[i]
        return (f"{what}: save_cam_overlay(image of shape {tuple(image.shape)}, cam, "
                f"{'pathlib.Path(path)' if as_path else 'path'}, alpha={alpha}, cmap={cmap!r})")

    pixels = [check_png(f["data"], call(i)) for i, f in enumerate(files)]
    for i, f in enumerate(files):
        if not f["returned_path"]:
            raise Mismatch(f"{call(i)}\n  returned {f['returned']}, not str(path)\nHint: {HINTS['overlay_return']}")
    if not _differs(pixels[0], pixels[1]):
        raise Mismatch(f"{call(1)}\n  the PNG does not change when the map is mirrored left-right: the heat map "
                       f"does not show\nHint: {HINTS['overlay']}")
    if _differs(pixels[2], pixels[3]):
        raise Mismatch(f"{call(3)}\n  with alpha=0 the heat map must be invisible, but the PNG changes when the map "
                       f"is mirrored left-right\nHint: {HINTS['overlay_alpha']}")
    if _differs(pixels[4], pixels[5]):
        raise Mismatch(f"{call(5)}\n  with alpha=1 the heat map must hide the image, but the PNG changes when the "
                       f"image under it changes\nHint: {HINTS['overlay_alpha']}")
    grey = pixels[2].astype(float).mean(axis=-1)
    third = grey.shape[1] // 3
    left, right = float(grey[:, :third].mean()), float(grey[:, -third:].mean())
    if not right - left > 40:   # the test's image is dark on its left and bright on its right
        raise Mismatch(f"{call(2)}\n  with alpha=0 the PNG should show the image, which goes from dark (left) to "
                       f"bright (right); but the PNG's left third averages {left:.0f} and its right third {right:.0f} "
                       "(0-255): the image's grey levels do not show (drawn all dark or all light, or off the "
                       "figure)")
    if calls[2][0].shape[0] == 3 and _coloured_share(pixels[2]) < 0.2:
        raise Mismatch(f"{call(2)}\n  the image is RGB and coloured, and alpha=0 hides the heat map, but only "
                       f"{_coloured_share(pixels[2]):.0%} of the PNG's pixels are coloured: the image's colours do "
                       "not show (drawn from one channel, or in grey)")
    if calls[2][0].shape[0] == 1 and _coloured_share(pixels[2]) > 0.005:
        raise Mismatch(f"{call(2)}\n  the image is grey (one channel) and alpha=0 hides the heat map, but "
                       f"{_coloured_share(pixels[2]):.0%} of the PNG's pixels are coloured\n"
                       f"Hint: {HINTS['overlay_grey']}")
    if _coloured_share(pixels[4]) > 0.005:
        raise Mismatch(f"{call(4)}\n  with cmap='gray' and alpha=1 the picture should be grey, but "
                       f"{_coloured_share(pixels[4]):.0%} of the PNG's pixels are coloured\n"
                       f"Hint: {HINTS['overlay_cmap']}")

