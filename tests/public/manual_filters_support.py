"""Shared by the public and hidden manual_filters tests: hints, data, models, probes, oracles and checks.

The grader never needs the reference here: the forward pass and the filter responses are computed in
float64 from the filters and ``fc`` weights the grader chooses (a functional conv -> ReLU -> max-pool ->
linear), the optimiser is inspected on a model the grader builds, and the training loop runs on a probe
model of the grader's (a frozen conv, dropout and a linear layer) that records every forward pass (train
or eval mode, gradients on or off, training or test images), every gradient that reaches its linear
layer and the gradient the optimiser finds at every step. The end-to-end run trains the student's own
``ManualCNN()`` on scikit-learn's 8x8 digits (``autograder.datasets``) and measures its accuracy in the
probe, next to the student's code.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from autograder.checks import Mismatch, TOLERANCES, assert_close, exceeds, png_pixels

EXERCISE = "manual_filters"
RTOL32, ATOL32 = TOLERANCES["float32"]   # float32 results, compared in float64

HINTS = {
    "not_frozen": "the filters are not frozen: conv.weight still requires grad, so training can change it; set "
                  "self.conv.weight.requires_grad = False after copying the filters in.",
    "filters_not_used": "conv.weight does not hold the model's filters (the ones passed in, or make_filters() by "
                        "default): copy them into the convolution the forward pass uses (with torch.no_grad(): "
                        "self.conv.weight.copy_(filters)) instead of keeping them in another attribute.",
    "filters_flipped": "conv.weight holds the filters flipped left-right and upside-down: nn.Conv2d (like "
                       "F.conv2d) computes a cross-correlation, so store the filters as given, without flipping "
                       "them.",
    "forward_softmax": "forward returns probabilities (a softmax of the scores); it must return the raw scores of "
                       "fc: nn.CrossEntropyLoss applies the (log-)softmax itself, and a softmax before it slows "
                       "training down.",
    "no_relu": "these are the scores without the ReLU between the convolution and the pooling: apply "
               "torch.relu to the feature maps before nn.MaxPool2d(2).",
    "avg_pool": "these are the scores with average pooling; the network uses 2x2 max-pooling (nn.MaxPool2d(2)).",
    "responses_before_relu": "these are the feature maps before the ReLU; filter_responses returns them after "
                             "it: torch.relu(model.conv(images)).",
    "responses_after_pool": "these are the feature maps after the 2x2 max-pooling; filter_responses returns them "
                            "before it, at the full S x S size.",
    "optimizer_all_params": "the optimiser holds the frozen filters too: hand it only the parameters that "
                            "require grad ([p for p in model.parameters() if p.requires_grad]).",
    "optimizer_settings": "the optimiser's lr, momentum or weight_decay are not the values passed to "
                          "make_optimizer: pass them on to torch.optim.SGD as they are.",
    "eval_mode": "the evaluation ran with the model in train mode (dropout still active): call model.eval() "
                 "before computing the test accuracy.",
    "no_grad": "the evaluation computed gradients: wrap it in torch.no_grad() (it needs no backward pass, and "
               "building the graph costs time and memory).",
    "softmax_before_loss": "train_manual applies a softmax to the scores before the loss: nn.CrossEntropyLoss "
                           "expects the raw scores and applies the (log-)softmax itself; a second softmax squashes "
                           "the gradients and slows training down.",
    "train_mode": "some training steps ran with the model in eval mode (dropout off): evaluate() switches the "
                  "model to eval mode, so call model.train() at the start of every epoch, not once before the "
                  "loop.",
    "use_dataloader": "train_manual must iterate over the mini-batches with a torch.utils.data.DataLoader over "
                      "TensorDataset(x_train, y_train) (batch_size=batch_size, shuffle=True).",
    "step_before_backward": "optimizer.step() is called before loss.backward(): every step uses the gradient of "
                            "the previous mini-batch (and the first step none at all). Per mini-batch: "
                            "zero_grad(), loss, backward(), then step().",
    "no_zero_grad": "the gradients are never reset: at every step the optimiser sees the sum of the gradients of "
                    "all mini-batches so far. Call optimizer.zero_grad() before every backward().",
    "not_reproducible": "the DataLoader's shuffling is not seeded: pass generator=torch.Generator()."
                        "manual_seed(seed), so that the same call gives the same model.",
    "plot": "save the figure to the path given (e.g. fig.savefig(path) on a matplotlib Figure with the Agg "
            "backend) after drawing what the docstring asks for.",
}

# ============================================================================= data and filter sets
FILTER_SETS = {
    # the Sobel pair, a Laplacian and a box blur
    "sobel_laplace_blur": [[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
                           [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
                           [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
                           [[1 / 9] * 3] * 3],
    # asymmetric filters: a flip changes every one of them
    "asymmetric": [[[1, 2, 0], [0, -1, 0], [0, 0, -2]],
                   [[0, 0, 1], [0, 1, 2], [-3, 0, 0]],
                   [[2, -1, 0], [0, 0, 0], [1, 0, -1]],
                   [[0.5, 0, 0], [1, 0, -1], [0, -0.5, 0.25]]],
}


def filter_set(name: str) -> torch.Tensor:
    """One of the grader's filter sets as float32 (4, 1, 3, 3)."""
    return torch.tensor(FILTER_SETS[name], dtype=torch.float32).unsqueeze(1)


def random_filters(seed: int) -> torch.Tensor:
    return torch.randn(4, 1, 3, 3, generator=torch.Generator().manual_seed(seed))


def random_images(batch: int, size: int, seed: int) -> torch.Tensor:
    """Images in [0, 1] (float32, (batch, 1, size, size))."""
    return torch.rand(batch, 1, size, size, generator=torch.Generator().manual_seed(seed))


def fc_state(seed: int, n_classes: int, image_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded float32 fc weights (n_classes, 4 (S // 2)^2) and bias (n_classes,)."""
    g = torch.Generator().manual_seed(seed)
    features = 4 * (image_size // 2) ** 2
    return torch.randn(n_classes, features, generator=g) / math.sqrt(features), torch.randn(n_classes, generator=g) * 0.1


def digits_subset(seed: int, n_train: int, n_test: int):
    """A small slice of the digits split of ``seed`` (for the probe model's training)."""
    from autograder.datasets import digits_split

    x_train, y_train, x_test, y_test = digits_split(seed)
    return x_train[:n_train], y_train[:n_train], x_test[:n_test], y_test[:n_test]


# ============================================================================= oracles (float64)
def conv64(filters: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return F.conv2d(x.double(), filters.double().reshape(4, 1, 3, 3), padding=1)


def scores64(filters, weight, bias, x, relu=True, pool="max") -> torch.Tensor:
    h = conv64(filters, x)
    if relu:
        h = torch.relu(h)
    h = F.max_pool2d(h, 2) if pool == "max" else F.avg_pool2d(h, 2)
    return torch.flatten(h, 1) @ weight.double().T + bias.double()


def forward_variants(filters, weight, bias, x) -> dict[str, torch.Tensor]:
    right = scores64(filters, weight, bias, x)
    return {"forward_softmax": torch.softmax(right, 1),
            "no_relu": scores64(filters, weight, bias, x, relu=False),
            "avg_pool": scores64(filters, weight, bias, x, pool="avg")}


def response_variants(filters, x) -> dict[str, torch.Tensor]:
    pre = conv64(filters, x)
    return {"responses_before_relu": pre, "responses_after_pool": F.max_pool2d(torch.relu(pre), 2)}


def _as64(value):
    try:
        if isinstance(value, torch.Tensor):
            return value.detach().to(torch.float64)
        return torch.as_tensor(np.asarray(value, dtype=np.float64))
    except Exception:
        return None


def _close(a: torch.Tensor, b: torch.Tensor, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=rtol, atol=atol))


def diagnose(got: torch.Tensor, expected: torch.Tensor, variants: dict, rtol: float, atol: float) -> str | None:
    """The misconception whose result matches ``got`` where it differs from the right answer, when exactly one
    does (when this input cannot tell two apart, none is named)."""
    found = []
    for key, wrong in variants.items():
        if not torch.isfinite(wrong).all():
            continue
        if (wrong.shape != expected.shape or not _close(wrong, expected, rtol, atol)) and _close(got, wrong, rtol, atol):
            found.append(key)
    return found[0] if len(set(found)) == 1 else None


def filters_hint(weight, filters) -> str | None:
    """When the model's conv.weight is not the filters it was given: "filters_flipped" when it holds them flipped
    in both spatial axes (and that differs from them), else "filters_not_used"; None when it holds them."""
    if weight is None or tuple(weight.shape) != (4, 1, 3, 3):
        return None
    got, expected = weight.double(), filters.double().reshape(4, 1, 3, 3)
    if _close(got, expected, 0.0, 1e-6):
        return None
    flipped = expected.flip(-1, -2)
    if _close(got, flipped, 0.0, 1e-6) and not _close(flipped, expected, 0.0, 1e-6):
        return "filters_flipped"
    return "filters_not_used"


def with_own_filters(out: dict, filters, compute) -> dict:
    """The variant "the right computation with the model's own conv.weight" under its construction hint, when
    that weight is not the filters given (a wrong result there is the consequence of the construction)."""
    hint = filters_hint(out.get("conv_weight"), filters)
    return {hint: compute(out["conv_weight"])} if hint else {}


def check_values(got, expected, what, variants, rtol=RTOL32, atol=ATOL32, reveal=True) -> None:
    g = _as64(got)
    if g is None:
        raise Mismatch(f"{what}\n  expected a tensor\n  got: {got!r}"[:1500])
    hint = None if _close(g, expected, rtol, atol) else diagnose(g, expected, variants, rtol, atol)
    assert_close(g, expected, what, rtol=rtol, atol=atol, hint=hint, hints=HINTS, reveal=reveal)


# ============================================================================= the grader's probe model
class ProbeNet(nn.Module):
    """conv (frozen, 4 fixed filters, padding 1) -> ReLU -> dropout -> flatten -> fc, recording every forward
    pass: train/eval mode, gradients on/off, and whether the images are training or test images."""

    def __init__(self, filters: torch.Tensor, image_size: int, n_classes: int, p: float = 0.3):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(filters)
        self.conv.weight.requires_grad_(False)
        self.drop = nn.Dropout(p)
        self.fc = nn.Linear(4 * image_size * image_size, n_classes)
        self.events: list = []
        self.splits: dict = {}
        self.last_out = None

    def label_rows(self, x: torch.Tensor, split: str) -> None:
        for row in x.reshape(len(x), -1):
            self.splits[row.numpy().tobytes()] = split

    def forward(self, x):
        kinds = {self.splits.get(row.detach().numpy().tobytes(), "other") for row in x.reshape(len(x), -1)}
        self.events.append(["forward", bool(self.training), bool(torch.is_grad_enabled()),
                            kinds.pop() if len(kinds) == 1 else "mixed", int(len(x))])
        out = self.fc(torch.flatten(self.drop(torch.relu(self.conv(x))), 1))
        self.last_out = out.detach()
        return out


def build_probe_net(seed: int, filters: torch.Tensor, image_size: int, n_classes: int) -> ProbeNet:
    torch.manual_seed(seed)
    return ProbeNet(filters, image_size, n_classes)


def warm_up_optimizers() -> bool:
    """Builds an optimiser once: the first one imports torch._dynamo (seconds on a busy machine), which is
    not the student's time; a separate call keeps it out of the training call's time limit."""
    torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)
    return True


# ============================================================================= probes
def probe_filters(module) -> dict:
    """make_filters() twice: the value, and whether the second call returned the same tensor object."""
    first = module.make_filters()
    second = module.make_filters()
    out = {"filters": first.detach().clone() if isinstance(first, torch.Tensor) else first,
           "same_object": first is second}
    return out


probe_filters.describes = "make_filters"


def _conv_weight(model):
    weight = getattr(getattr(model, "conv", None), "weight", None)
    return weight.detach().clone() if isinstance(weight, torch.Tensor) else None


def _state_of(model) -> dict:
    """What the grader reads of a built ManualCNN: the conv's weight and flags, the trainable parameters."""
    conv = getattr(model, "conv", None)
    weight = getattr(conv, "weight", None) if conv is not None else None
    bias = getattr(conv, "bias", None) if conv is not None else None
    fc = getattr(model, "fc", None)
    return {
        "has_conv": conv is not None,
        "weight": weight.detach().clone() if isinstance(weight, torch.Tensor) else None,
        "weight_requires_grad": bool(weight.requires_grad) if isinstance(weight, torch.Tensor) else None,
        "bias": bias.detach().clone() if isinstance(bias, torch.Tensor) else None,
        "fc_is_linear": isinstance(fc, nn.Linear),
        "trainable": [[name, list(p.shape)] for name, p in model.named_parameters() if p.requires_grad],
    }


def probe_build(module, filters, n_classes, image_size) -> dict:
    """ManualCNN(filters, n_classes, image_size) (filters None: ManualCNN() with the defaults); then whether the
    tensor passed in was changed, and whether changing it afterwards reaches the model."""
    if filters is None:
        model = module.ManualCNN()
        out = _state_of(model)
        made = module.make_filters()
        out["made"] = made.detach().clone() if isinstance(made, torch.Tensor) else None
        return out
    given = filters.clone()
    model = module.ManualCNN(given, n_classes=n_classes, image_size=image_size)
    out = _state_of(model)
    out["input_changed"] = not torch.equal(given, filters)
    with torch.no_grad():
        given.add_(1.0)
    after = getattr(getattr(model, "conv", None), "weight", None)
    out["aliased"] = (isinstance(after, torch.Tensor) and out["weight"] is not None
                      and not torch.equal(after.detach(), out["weight"]))
    return out


probe_build.describes = "ManualCNN"


def probe_forward(module, filters, n_classes, image_size, weight, bias, x) -> dict:
    """ManualCNN(filters, n_classes, image_size) with the grader's fc weights copied into model.fc, in eval
    mode, on x."""
    model = module.ManualCNN(filters.clone(), n_classes=n_classes, image_size=image_size)
    fc = getattr(model, "fc", None)
    if not isinstance(fc, nn.Linear) or tuple(fc.weight.shape) != tuple(weight.shape):
        shape = tuple(fc.weight.shape) if isinstance(fc, nn.Linear) else None
        return {"problem": f"model.fc is {type(fc).__name__ if fc is not None else 'missing'}"
                           + (f" with a weight of shape {shape}" if shape else "")
                           + f"; expected an nn.Linear with a weight of shape {tuple(weight.shape)} "
                             f"(4 * (S // 2) ** 2 = {weight.shape[1]} inputs, {n_classes} outputs)"}
    with torch.no_grad():
        fc.weight.copy_(weight)
        fc.bias.copy_(bias)
    model.eval()
    with torch.no_grad():
        out = model(x)
    return {"out": out.detach().clone() if isinstance(out, torch.Tensor) else out, "conv_weight": _conv_weight(model)}


probe_forward.describes = "ManualCNN or its forward"


def probe_responses(module, filters, image_size, x) -> dict:
    model = module.ManualCNN(filters.clone(), n_classes=10, image_size=image_size)
    result = module.filter_responses(model, x)
    if isinstance(result, torch.Tensor):
        return {"out": result.detach().clone(), "requires_grad": bool(result.requires_grad),
                "conv_weight": _conv_weight(model)}
    return {"out": result, "requires_grad": False, "conv_weight": _conv_weight(model)}


probe_responses.describes = "ManualCNN or filter_responses"


def probe_optimizer(module, lr, momentum, weight_decay, filters, image_size, n_classes) -> dict:
    """make_optimizer on the grader's probe model (frozen conv, trainable fc): the parameters it holds, by
    name, and the settings of each group."""
    model = build_probe_net(0, filters, image_size, n_classes)
    names = {id(p): name for name, p in model.named_parameters()}
    optimizer = module.make_optimizer(model, lr, momentum=momentum, weight_decay=weight_decay)
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(optimizer, torch.optim.Optimizer) or groups is None:
        return {"type": type(optimizer).__name__, "is_sgd": False, "groups": []}
    out_groups = []
    for group in groups:
        out_groups.append({"params": [names.get(id(p), "a tensor not in the model") for p in group["params"]],
                           "lr": float(group.get("lr", float("nan"))),
                           "momentum": float(group.get("momentum", float("nan"))),
                           "weight_decay": float(group.get("weight_decay", float("nan")))})
    return {"type": type(optimizer).__name__, "is_sgd": isinstance(optimizer, torch.optim.SGD), "groups": out_groups}


probe_optimizer.describes = "make_optimizer"


def probe_evaluate(module, seed, filters, x, y) -> dict:
    """evaluate on a probe model (with dropout) in train mode: the value returned, every forward pass it made,
    the mode left behind, and the right accuracy (eval mode, no gradients, on a copy, before the call)."""
    model = build_probe_net(seed, filters, x.shape[-1], int(y.max()) + 1)
    model.label_rows(x, "test")
    with torch.no_grad():
        reference = copy.deepcopy(model).eval()
        expected = float((reference(x).argmax(1) == y).double().mean())
    model.train()
    value = module.evaluate(model, x, y)
    if isinstance(value, torch.Tensor):
        value = value.detach().clone()
    return {"value": value, "events": model.events, "training_after": bool(model.training), "expected": expected}


probe_evaluate.describes = "evaluate"


def probe_train_loop(module, seed, filters, data, settings) -> dict:
    """train_manual on the grader's probe model, with the DataLoader and the optimiser's steps instrumented
    (and restored): every forward pass, the gradient of fc.weight at every backward and at every step, the
    DataLoaders built, the history returned, the final model's test accuracy and whether the frozen conv moved.
    Then the same call twice more on fresh copies of the model without dropout, with the global torch generator
    seeded differently: do they give the same weights?"""
    from torch.optim.optimizer import register_optimizer_step_pre_hook
    from torch.utils import data as tud

    x_train, y_train, x_test, y_test = data
    size, classes = x_train.shape[-1], int(max(y_train.max(), y_test.max())) + 1

    def run(record: bool, dropout: float, global_seed: int):
        model = build_probe_net(seed, filters, size, classes)
        model.drop.p = dropout
        model.label_rows(x_train, "train")
        model.label_rows(x_test, "test")
        conv_before = model.conv.weight.detach().clone()
        loaders, by_id = [], {}
        originals = (tud.DataLoader.__init__, tud.DataLoader.__iter__)

        def loader_init(self, *args, **kwargs):
            originals[0](self, *args, **kwargs)
            entry = {"batch_size": self.batch_size, "shuffle": isinstance(self.sampler, tud.RandomSampler),
                     "generator": self.generator is not None or getattr(self.sampler, "generator", None) is not None,
                     "iterated": 0}
            loaders.append(entry)
            by_id[id(self)] = (self, entry)   # the loader is kept alive, so its id is not reused

        def loader_iter(self):
            if id(self) in by_id:
                by_id[id(self)][1]["iterated"] += 1
            return originals[1](self)

        def step_hook(optimizer, args, kwargs):
            grad = model.fc.weight.grad
            model.events.append(["step", None if grad is None else grad.detach().clone()])

        def grad_hook(grad):
            model.events.append(["backward", grad.detach().clone()])

        def cross_entropy(input, *args, **kwargs):
            """What the loss is given: the probe model's last output, a softmax of it, or something else."""
            last, kind = model.last_out, "other"
            if isinstance(input, torch.Tensor) and last is not None and input.shape == last.shape:
                given = input.detach().double()
                if torch.allclose(given, last.double(), rtol=1e-5, atol=1e-6):
                    kind = "scores"
                elif torch.allclose(given, torch.softmax(last.double(), 1), rtol=1e-5, atol=1e-6):
                    kind = "softmax"
            result = original_ce(input, *args, **kwargs)
            value = float(result.detach()) if isinstance(result, torch.Tensor) and result.numel() == 1 else None
            model.events.append(["loss", kind, value])
            return result

        original_ce = F.cross_entropy
        handles = [model.fc.weight.register_hook(grad_hook)]
        if record:
            tud.DataLoader.__init__, tud.DataLoader.__iter__ = loader_init, loader_iter
            F.cross_entropy = cross_entropy
        handles.append(register_optimizer_step_pre_hook(step_hook))
        torch.manual_seed(global_seed)
        try:
            history = module.train_manual(model, x_train, y_train, x_test, y_test, **settings)
        finally:
            for h in handles:
                h.remove()
            tud.DataLoader.__init__, tud.DataLoader.__iter__ = originals
            F.cross_entropy = original_ce
        model.eval()
        with torch.no_grad():
            accuracy = float((model(x_test).argmax(1) == y_test).double().mean())
        return model, history, loaders, conv_before, accuracy

    model, history, loaders, conv_before, accuracy = run(True, 0.3, 1000)
    events = model.events[:-1]   # the last one is the grader's own forward pass above
    # reproducibility: without dropout, only the shuffling could differ between two runs whose global torch
    # generator starts from different seeds; the seed argument must fix it
    first, *_ = run(False, 0.0, 1)
    second, *_ = run(False, 0.0, 2)
    return {"history": history, "loaders": loaders, "events": events, "accuracy": accuracy,
            "conv_changed": not torch.equal(conv_before, model.conv.weight.detach()),
            "same_again": all(torch.equal(a, b) for a, b in zip(first.state_dict().values(),
                                                                  second.state_dict().values()))}


probe_train_loop.describes = "train_manual"


def probe_end_to_end(module, init_seed, filters, data, settings, accuracy_needed) -> dict:
    """The student's ManualCNN (their filters when ``filters`` is None) trained with their train_manual on the
    digits; the filters before and after, the test accuracy measured here (eval mode, no gradients)."""
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(init_seed)
    model = module.ManualCNN() if filters is None else module.ManualCNN(filters.clone())
    before = _state_of(model)
    history = module.train_manual(model, x_train, y_train, x_test, y_test, **settings)
    after = _state_of(model)
    model.eval()
    with torch.no_grad():
        accuracy = float((model(x_test).argmax(1) == y_test).double().mean())
    return {"before": before, "after": after, "accuracy": accuracy, "n_test": len(y_test), "needed": accuracy_needed,
            "history_len": len(history.get("loss", [])) if isinstance(history, dict) else None}


probe_end_to_end.describes = "ManualCNN or train_manual"


def _wrap_savefig():
    from matplotlib.figure import Figure

    original = Figure.savefig
    drawn = []

    def savefig(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        drawn.append(figure_artists(self))
        return result

    return Figure, original, savefig, drawn


def figure_artists(fig) -> dict:
    """The lines (y data) and images (arrays) a figure draws, over all its axes, as plain data."""
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D

    out = {"lines": [], "images": [], "boxes": []}
    for ax in fig.get_axes():
        try:
            box = tuple(float(v) for v in ax.get_position().extents)   # (x0, y0, x1, y1) in figure fractions
        except Exception:
            box = None
        for artist in ax.get_children():
            try:
                if isinstance(artist, Line2D):
                    out["lines"].append(np.asarray(artist.get_ydata(), dtype=np.float64).ravel())
                elif isinstance(artist, AxesImage):
                    image = np.ma.filled(np.ma.asarray(artist.get_array(), dtype=np.float64), np.nan)
                    out["images"].append(image)
                    out["boxes"].append(box)
            except Exception:  # an artist that cannot be read is left out
                continue
    return out


def _plot_call(call, name: str) -> dict:
    import os
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="manual_filters_plot_")
    Figure, original, savefig, drawn = _wrap_savefig()
    Figure.savefig = savefig
    try:
        path = os.path.join(folder, name)
        call(path)
        if not os.path.isfile(path):
            return {"data": None, "drawn": drawn[-1] if drawn else None}
        with open(path, "rb") as fh:
            return {"data": np.frombuffer(fh.read(), dtype=np.uint8).copy(), "drawn": drawn[-1] if drawn else None}
    finally:
        Figure.savefig = original
        shutil.rmtree(folder, ignore_errors=True)


def probe_plot_history(module, history) -> dict:
    return _plot_call(lambda path: module.plot_history(history, path), "history.png")


probe_plot_history.describes = "plot_history"


def probe_plot_effects(module, filters, images) -> dict:
    model = module.ManualCNN(filters.clone(), n_classes=10, image_size=images.shape[-1])
    out = _plot_call(lambda path: module.plot_filter_effects(model, images, path), "effects.png")
    out["conv_weight"] = _conv_weight(model)
    return out


probe_plot_effects.describes = "ManualCNN or plot_filter_effects"


# ============================================================================= checks
def check_png(data, what: str):
    """The PNG written: opens, 64 to 4096 pixels a side, not one flat colour (checks.png_pixels)."""
    return png_pixels(data, what, HINTS['plot'], min_side=64, max_side=4096)


def check_built(out: dict, filters, n_classes: int, image_size: int, what: str,
                source: str = "the filters passed in") -> None:
    """A ManualCNN as built: conv.weight = the filters (float32, (4, 1, 3, 3)), frozen, no bias, only fc
    trainable with 4 (S // 2)^2 * K + K parameters; the tensor passed in left alone and not aliased."""
    if not out["has_conv"] or out["weight"] is None:
        raise Mismatch(f"{what}\n  the model has no model.conv with a weight tensor (the filters live in "
                       "self.conv.weight)")
    weight = out["weight"]
    if tuple(weight.shape) != (4, 1, 3, 3):
        raise Mismatch(f"{what}\n  model.conv.weight has shape {tuple(weight.shape)}; expected (4, 1, 3, 3)")
    if weight.dtype != torch.float32:
        raise Mismatch(f"{what}\n  model.conv.weight has dtype {weight.dtype}; keep a float32 copy of the filters")
    if filters is not None:
        hint = filters_hint(weight, filters)
        if hint:
            assert_close(weight.double(), filters.double().reshape(4, 1, 3, 3),
                         f"{what}\n  model.conv.weight, compared with {source}:", rtol=0.0, atol=1e-6, hint=hint,
                         hints=HINTS)
    if out["weight_requires_grad"]:
        raise Mismatch(f"{what}\n  model.conv.weight.requires_grad is True\nHint: {HINTS['not_frozen']}")
    if out["bias"] is not None:
        raise Mismatch(f"{what}\n  model.conv has a bias (of shape {tuple(out['bias'].shape)}); the network's "
                       "convolution has none (bias=False)")
    features = 4 * (image_size // 2) ** 2
    expected_trainable = [["fc.weight", [n_classes, features]], ["fc.bias", [n_classes]]]
    trainable = sorted(out["trainable"])
    if trainable != sorted(expected_trainable):
        frozen_listed = [name for name, _ in trainable if name.startswith("conv")]
        count = sum(math.prod(shape) for _, shape in trainable)
        raise Mismatch(f"{what}\n  the parameters that require grad are {trainable} ({count} numbers); expected "
                       f"only fc.weight {tuple(expected_trainable[0][1])} and fc.bias {tuple(expected_trainable[1][1])}"
                       f": {n_classes * features + n_classes} numbers (fc = nn.Linear(4 * (S // 2) ** 2, n_classes))"
                       + (f"\nHint: {HINTS['not_frozen']}" if frozen_listed else ""))
    if not out["fc_is_linear"]:
        raise Mismatch(f"{what}\n  model.fc is not an nn.Linear")
    if out.get("input_changed"):
        raise Mismatch(f"{what}\n  the filters tensor passed in was changed by ManualCNN; leave it as it was")
    if out.get("aliased"):
        raise Mismatch(f"{what}\n  changing the filters tensor after building the model changed model.conv.weight: "
                       "keep a copy (e.g. filters.detach().clone()), not the caller's tensor")


def check_optimizer(out: dict, lr: float, momentum: float, weight_decay: float, what: str) -> None:
    if not out["is_sgd"]:
        raise Mismatch(f"{what}\n  make_optimizer returned a {out['type']}; expected a torch.optim.SGD")
    if len(out["groups"]) != 1:
        raise Mismatch(f"{what}\n  the optimiser has {len(out['groups'])} parameter groups; expected one")
    group = out["groups"][0]
    names = sorted(group["params"])
    if names != ["fc.bias", "fc.weight"]:
        frozen = [n for n in names if n.startswith("conv")]
        raise Mismatch(f"{what}\n  the optimiser holds {names}; expected only the trainable ['fc.bias', 'fc.weight'] "
                       "(conv.weight is frozen: requires_grad=False)"
                       + (f"\nHint: {HINTS['optimizer_all_params']}" if frozen and "fc.weight" in names else ""))
    for key, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
        if not math.isclose(group[key], value, rel_tol=1e-9, abs_tol=1e-12):
            raise Mismatch(f"{what}\n  the optimiser's {key} is {group[key]!r}; {key}={value} was passed\n"
                           f"Hint: {HINTS['optimizer_settings']}")


def _float_value(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        raise Mismatch(f"{what}\n  the value returned is a tensor ({value!r}); return a Python float (float(...) "
                       "or .item())"[:1500])
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Mismatch(f"{what}\n  expected the accuracy as a Python float in [0, 1]\n  got: {value!r}"[:1500])
    return float(value)


def check_evaluate(out: dict, n: int, what: str) -> None:
    forwards = [e for e in out["events"] if e[0] == "forward"]
    if not forwards:
        raise Mismatch(f"{what}\n  the model was never called")
    if any(e[1] for e in forwards):
        raise Mismatch(f"{what}\n  the model ran in train mode (model.training was True during the forward pass)"
                       f"\nHint: {HINTS['eval_mode']}")
    if any(e[2] for e in forwards):
        raise Mismatch(f"{what}\n  the forward pass ran with gradients enabled (torch.is_grad_enabled() was True)"
                       f"\nHint: {HINTS['no_grad']}")
    value = _float_value(out["value"], what)
    if exceeds(abs(value - out["expected"]), 0.5 / n):
        raise Mismatch(f"{what}\n  the value returned is not the accuracy on the {n} images\n  expected: "
                       f"{out['expected']!r}\n  got:      {value!r}")
    if out["training_after"]:
        raise Mismatch(f"{what}\n  the model is in train mode after evaluate; leave it in eval mode")


def check_train_loop(out: dict, settings: dict, n_train: int, n_test: int, what: str) -> None:
    """The instrumented run of train_manual on the probe model; see probe_train_loop."""
    epochs, batch_size = settings["epochs"], settings["batch_size"]
    batches = epochs * -(-n_train // batch_size)
    loaders = out["loaders"]
    if not loaders or not any(entry["iterated"] for entry in loaders):
        raise Mismatch(f"{what}\n  no torch.utils.data.DataLoader was built and iterated\n"
                       f"Hint: {HINTS['use_dataloader']}")
    train_loaders = [entry for entry in loaders if entry["shuffle"]]
    if not train_loaders:
        raise Mismatch(f"{what}\n  no DataLoader shuffles (none has a RandomSampler): pass shuffle=True")
    sizes = sorted({entry["batch_size"] for entry in train_loaders})
    if sizes != [batch_size]:
        raise Mismatch(f"{what}\n  the shuffling DataLoader has batch_size {sizes}; batch_size={batch_size} was "
                       "passed")
    events = out["events"]
    steps = [i for i, e in enumerate(events) if e[0] == "step"]
    backwards = [i for i, e in enumerate(events) if e[0] == "backward"]
    if not steps:
        raise Mismatch(f"{what}\n  the optimiser never took a step (optimizer.step() was not called)")
    if len(steps) != batches:
        raise Mismatch(f"{what}\n  the optimiser took {len(steps)} steps; {epochs} epochs of {batches // epochs} "
                       f"mini-batches of at most {batch_size} of the {n_train} images make {batches}")
    if not backwards or steps[0] < backwards[0]:
        raise Mismatch(f"{what}\n  the first optimizer.step() came before the first loss.backward() (recorded "
                       f"order of the calls)\nHint: {HINTS['step_before_backward']}")
    # the gradient each step uses must be the gradient of its own mini-batch alone
    total, last, previous_step = None, None, -1
    for i, event in enumerate(events):
        if event[0] == "backward":
            total = event[1].double() if total is None else total + event[1].double()
            last = event[1].double()
        elif event[0] == "step":
            since = [e for e in events[previous_step + 1:i] if e[0] == "backward"]
            if not since:
                raise Mismatch(f"{what}\n  an optimizer.step() came without a loss.backward() since the previous "
                               f"step (recorded order of the calls)\nHint: {HINTS['step_before_backward']}")
            grad = event[1]
            if grad is None or not _close(grad.double(), last, 1e-5, 1e-7):
                accumulated = grad is not None and _close(grad.double(), total, 1e-4, 1e-7) \
                    and not _close(total, last, 1e-4, 1e-7)
                raise Mismatch(f"{what}\n  at optimiser step {steps.index(i) + 1} the gradient of the linear layer is "
                               "not the gradient of the last mini-batch's loss"
                               + (" but the sum of the gradients of all mini-batches so far"
                                  f"\nHint: {HINTS['no_zero_grad']}" if accumulated else ""))
            previous_step = i
    if any(e[0] == "loss" and e[1] == "softmax" for e in events):
        raise Mismatch(f"{what}\n  the loss was given the softmax of the model's scores (recorded at the call of the "
                       f"cross-entropy)\nHint: {HINTS['softmax_before_loss']}")
    forwards = [e for e in events if e[0] == "forward"]
    # a training forward pass: one whose output is backpropagated (a backward comes before the next forward)
    trained = []
    for i, event in enumerate(events):
        if event[0] == "forward":
            following = next((e[0] for e in events[i + 1:] if e[0] in ("forward", "backward")), None)
            trained.append(following == "backward")
    training = [e for e, t in zip(forwards, trained) if t]
    if not training:
        raise Mismatch(f"{what}\n  no forward pass of the model was followed by a backward pass through it")
    if not all(e[1] for e in training):
        count = sum(not e[1] for e in training)
        # named only for the pattern the hint describes: train mode until the first evaluation, eval mode after it
        first_test = next((i for i, e in enumerate(forwards) if e[3] == "test"), len(forwards))
        pattern = all(e[1] for e, t in zip(forwards[:first_test], trained) if t) and \
            not any(e[1] for e, t in zip(forwards[first_test:], trained[first_test:]) if t)
        raise Mismatch(f"{what}\n  {count} of the {len(training)} forward passes on training mini-batches ran with "
                       "the model in eval mode" + (", all of them after the first evaluation on the test images"
                                                   f"\nHint: {HINTS['train_mode']}" if pattern else ""))
    testing = [e for e in forwards if e[3] == "test"]
    if not testing:
        raise Mismatch(f"{what}\n  the model was never run on the test images (test accuracy after every epoch)")
    if any(e[1] for e in testing):
        raise Mismatch(f"{what}\n  the model ran in train mode on the test images\nHint: {HINTS['eval_mode']}")
    if any(e[2] for e in testing):
        raise Mismatch(f"{what}\n  the model ran on the test images with gradients enabled\nHint: {HINTS['no_grad']}")
    history = out["history"]
    if not isinstance(history, dict) or set(history) < {"loss", "test_accuracy"}:
        raise Mismatch(f"{what}\n  expected a dict with the keys 'loss' and 'test_accuracy'\n  got: {history!r}"[:1500])
    for key in ("loss", "test_accuracy"):
        values = history[key]
        if not isinstance(values, (list, tuple)) or len(values) != epochs:
            raise Mismatch(f"{what}\n  history[{key!r}] should be a list of {epochs} floats (one per epoch)\n  got: "
                           f"{values!r}"[:1500])
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
            raise Mismatch(f"{what}\n  history[{key!r}] should hold finite Python floats\n  got: {values!r}"[:1500])
    losses = history["loss"]
    if not losses[-1] < losses[0]:
        raise Mismatch(f"{what}\n  the mean training loss did not go down: {losses}")
    check_loss_means(events, losses, epochs, batches, what)
    if exceeds(abs(history["test_accuracy"][-1] - out["accuracy"]), 0.5 / n_test):
        raise Mismatch(f"{what}\n  history['test_accuracy'][-1] is {history['test_accuracy'][-1]!r}; the trained "
                       f"model's accuracy on the test images (eval mode, no gradients) is {out['accuracy']!r}")
    if out["conv_changed"]:
        raise Mismatch(f"{what}\n  the grader's frozen convolution (requires_grad=False) changed during training")
    if not out["same_again"]:
        unseeded = not any(entry["generator"] for entry in train_loaders)
        raise Mismatch(f"{what}\n  the same call on two fresh copies of the same model (without dropout) gave "
                       "different weights"
                       + (f" (the shuffling DataLoader was built without a generator)\nHint: "
                          f"{HINTS['not_reproducible']}" if unseeded else ""))


def check_loss_means(events: list, losses: list, epochs: int, batches: int, what: str) -> None:
    """history["loss"][e] is the mean of epoch e's mini-batch losses: the plain mean, or the mean over the images
    (each mini-batch's loss weighted by its size). The losses are those recorded at the cross-entropy whose
    backward pass follows (the mini-batch losses the optimiser steps on); checked only when there is one per
    optimiser step (the loss computed through nn.CrossEntropyLoss / F.cross_entropy)."""
    recorded, size = [], None
    for i, event in enumerate(events):
        if event[0] == "forward":
            size = event[4]
        elif event[0] == "loss" and len(event) > 2 and event[2] is not None:
            following = next((e[0] for e in events[i + 1:] if e[0] in ("forward", "backward", "loss")), None)
            if following == "backward":
                recorded.append((event[2], size))
    if len(recorded) != batches or batches % epochs:
        return
    per = batches // epochs
    for e in range(epochs):
        chunk = recorded[e * per:(e + 1) * per]
        plain = sum(v for v, _ in chunk) / per
        weighted = sum(v * n for v, n in chunk) / sum(n for _, n in chunk)
        if not any(math.isclose(losses[e], m, rel_tol=1e-5, abs_tol=1e-7) for m in (plain, weighted)):
            raise Mismatch(f"{what}\n  history['loss'][{e}] is {losses[e]!r}, not the mean of the {per} mini-batch "
                           f"losses of epoch {e + 1}: those your loss computed before each backward pass average "
                           f"{plain!r}. history['loss'] holds, for every epoch, the sum of its mini-batch losses "
                           "divided by their number")


def check_filter_effects(out: dict, filters, images, what: str) -> None:
    """plot_filter_effects: a PNG, an imshow panel for each image and each of its four responses (after the ReLU),
    laid out as one row per image, top to bottom, and five columns: the image, then responses 1 to 4."""
    check_png(out["data"], what)
    drawn = out["drawn"]
    if drawn is None:
        raise Mismatch(f"{what}\n  the PNG was not written with a matplotlib Figure's savefig (fig.savefig or "
                       f"plt.savefig), so what it draws cannot be checked\nHint: {HINTS['plot']}")
    count = images.shape[0]
    panels = [(p, box) for p, box in zip(drawn["images"], drawn["boxes"]) if p.ndim == 2]
    responses = torch.relu(conv64(filters, images)).numpy()
    wanted = [[images[b, 0].double().numpy()] + [responses[b, k] for k in range(4)] for b in range(count)]
    names = [[f"image {b}"] + [f"response {k + 1} of image {b}" for k in range(4)] for b in range(count)]

    def find(array):
        return next((box for p, box in panels if p.shape == array.shape
                     and np.allclose(p, array, rtol=1e-5, atol=1e-6)), False)

    boxes = [[None] * 5 for _ in range(count)]
    for b in range(count):
        for c in range(5):
            found = find(wanted[b][c])
            if found is not False:
                boxes[b][c] = found
                continue
            # the responses of a known wrong computation, when they are all there instead
            hint = None
            candidates = {"responses_before_relu": conv64(filters, images)}
            candidates.update(with_own_filters(out, filters, lambda w: torch.relu(conv64(w, images))))
            for key, maps in candidates.items():
                maps = maps.numpy()
                if all(find(maps[i, k]) is not False for i in range(count) for k in range(4)):
                    hint = key
            array = wanted[b][c]
            raise Mismatch(f"{what}\n  no imshow panel shows {names[b][c]} (expected {5 * count} panels: each image "
                           f"and its four responses, as arrays of {array.shape[0]}x{array.shape[1]}; {len(panels)} "
                           "found)" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    # the layout: one row per image (top to bottom), the image then its responses 1 to 4 (left to right)
    layout = (f"{what}\n  the panels are not laid out as the docstring asks: one row per image (image 0 at the top) "
              "and five columns (the image, then its responses to filters 1, 2, 3, 4 from left to right), e.g. "
              f"fig.add_subplot({count}, 5, 5 * b + k + 1) for image b and column k:\n  ")
    if any(box is None for row in boxes for box in row):
        return   # axes whose position cannot be read: nothing to compare
    flat = [(names[b][c], boxes[b][c]) for b in range(count) for c in range(5)]

    def centre(box):
        return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2

    for i, (name_a, a) in enumerate(flat):
        for name_b, b_ in flat[i + 1:]:
            width = min(a[2], b_[2]) - max(a[0], b_[0])
            height = min(a[3], b_[3]) - max(a[1], b_[1])
            if width > 1e-6 and height > 1e-6:
                raise Mismatch(layout + f"the panels of {name_a} and {name_b} overlap")
    for b in range(count):
        for c in range(5):
            x, y = centre(boxes[b][c])
            if c and not x > centre(boxes[b][c - 1])[0]:
                raise Mismatch(layout + f"{names[b][c]} is not to the right of {names[b][c - 1]}")
            if c and not boxes[b][0][1] < y < boxes[b][0][3]:
                raise Mismatch(layout + f"{names[b][c]} is not in the row of image {b}")
            if b and not y < min(box[1] for box in boxes[b - 1]):
                raise Mismatch(layout + f"{names[b][c]} is not below the row of image {b - 1}")
            if b and not boxes[0][c][0] < x < boxes[0][c][2]:
                raise Mismatch(layout + f"{names[b][c]} is not in the column of {names[0][c]}")


ACCURACY_NEEDED = 0.90


def check_end_to_end(out: dict, what: str, filters=None) -> None:
    before, after = out["before"], out["after"]
    if before["weight"] is None or after["weight"] is None:
        raise Mismatch(f"{what}\n  the model has no model.conv.weight to compare before and after training")
    if filters is not None and filters_hint(before["weight"], filters):
        raise Mismatch(f"{what}\n  model.conv.weight is not the filters passed in (see the test of ManualCNN)\n"
                       f"Hint: {HINTS[filters_hint(before['weight'], filters)]}")
    if not torch.equal(before["weight"], after["weight"]):
        changed = int((before["weight"] != after["weight"]).sum())
        frozen_flag = before["weight_requires_grad"]
        raise Mismatch(f"{what}\n  training changed {changed} of the 36 filter values (they must stay bit-for-bit "
                       "the same)" + (f"\nHint: {HINTS['not_frozen']}" if frozen_flag else ""))
    if after["weight_requires_grad"]:
        raise Mismatch(f"{what}\n  after training, model.conv.weight requires grad\nHint: {HINTS['not_frozen']}")
    accuracy = out["accuracy"]
    if not accuracy >= ACCURACY_NEEDED:   # nan-safe: NaN fails >=
        raise Mismatch(f"{what}\n  the trained model classifies {accuracy:.4f} of the held-out digits correctly; at "
                       f"least {ACCURACY_NEEDED} is needed (chance is 0.1)")
