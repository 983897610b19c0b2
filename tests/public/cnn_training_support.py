"""Shared by the public and hidden cnn_training tests: hints, data, the grader's probe model, probes and checks.

The training loop is graded on a small model that the grader builds (``ProbeNet``: a linear layer, ReLU,
dropout with p = 0.5, a linear layer), so that train and eval mode give different outputs. The probes record,
in the order they happen, every forward pass (with the model's mode and whether gradients are tracked), every
call of the loss (what it was given), every gradient computed for the first layer's weight (and whether the
.grad it is added to was clean: None or zero) and every optimiser step. The verdicts, and every hint that names
a cause, come from that record: a hint is shown only when the record shows the cause.

The data are the 8x8 digits of scikit-learn (``autograder.datasets``), read by the grader; the MNIST reader is
graded on small IDX files the grader builds byte by byte.
"""
from __future__ import annotations

import gzip
import math
import re
import struct

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

from autograder import datasets
from autograder.checks import Mismatch, TOLERANCES, assert_close, exceeds, png_pixels

EXERCISE = "cnn_training"
RTOL32, ATOL32 = TOLERANCES["float32"]

HINTS = {
    "fc_input_size": "fc1's input size counts only one of the two poolings: after conv1-pool and conv2-pool the "
                     "side is (image_size // 2) // 2, so fc1 = nn.Linear(channels[1] * s * s, hidden).",
    "forward_softmax": "forward returns probabilities (a softmax of the scores); it must return the raw scores of "
                       "fc2: nn.CrossEntropyLoss applies the log-softmax itself.",
    "count_biases": "this count leaves out the biases: every nn.Conv2d and nn.Linear also has one bias per output "
                    "channel or unit.",
    "images_scaled": "the images are scaled to [0, 1]; load_mnist_idx returns the raw bytes as uint8 (0 .. 255), "
                     "scaling is a separate step.",
    "unseeded_shuffle": "the training order depends on the global random state, not on seed: give the DataLoader "
                        "generator=torch.Generator().manual_seed(seed) (with shuffle=True).",
    "train_mode": "the forward passes of train_epoch ran in eval mode (the model was handed over in eval mode and "
                  "stayed there): call model.train() at the start, so that dropout is active while training.",
    "step_before_backward": "optimizer.step() is called before loss.backward(): the step then uses the gradients of "
                            "the previous batch (or none at all). Per batch: zero_grad(), forward, loss, backward(), "
                            "step().",
    "no_zero_grad": "the gradients are never zeroed: each backward() adds to the .grad left by the previous batches, "
                    "so every step uses the sum of all gradients so far. Call optimizer.zero_grad() before (or "
                    "after) each step.",
    "one_hot_labels": "the loss was given one-hot float targets; pass the int64 class labels as the loader gives "
                      "them: loss_fn(scores, labels).",
    "softmax_before_loss": "the loss was given softmax probabilities instead of the raw scores; nn.CrossEntropyLoss "
                           "applies the log-softmax itself, so a softmax before it squashes the gradients.",
    "batch_mean": "this is the plain mean of the batch losses; weight each batch's loss by its size and divide by "
                  "the number of examples (the last batch is smaller).",
    "eval_mode": "evaluate ran the model in training mode (dropout active): call model.eval() before the forward "
                 "passes.",
    "no_grad": "evaluate tracked gradients during its forward passes: wrap them in torch.no_grad() (or "
               "torch.inference_mode()).",
    "accuracy_count": "the accuracy returned is the number of correct examples; return the fraction correct / N, a "
                      "float in [0, 1].",
    "optimizer_per_epoch": "fit builds a new optimiser every epoch, so Adam's running averages start from zero each "
                           "time: build it once, before the loop over the epochs.",
    "test_shuffled": "the test loader shuffles; evaluation needs no shuffling, and keeping the given order makes "
                     "results comparable: shuffle=False for the test loader.",
    "lr_ignored": "fit does not use the lr it is given: build torch.optim.Adam(model.parameters(), lr=lr).",
    "epoch_from_zero": "the printed epoch numbers count from 0 (the loop variable of range(epochs)); the epochs are "
                       "numbered 1 .. epochs: print epoch + 1.",
    "plot": "save the figure to the path given (fig.savefig(path) on a matplotlib Figure with the Agg backend) "
            "after drawing both panels.",
}

# ============================================================================= the stated architecture
def feature_side(image_size: int, pools: int = 2) -> int:
    side = int(image_size)
    for _ in range(pools):
        side //= 2
    return side


def expected_shapes(cfg: dict, pools: int = 2) -> list[tuple[int, ...]]:
    """The parameter shapes of CNN(**cfg), in registration order (conv1, conv2, fc1, fc2; weight then bias)."""
    c_in, n, size = cfg["in_channels"], cfg["n_classes"], cfg["image_size"]
    c0, c1 = cfg["channels"]
    h = cfg["hidden"]
    s = feature_side(size, pools)
    return [(c0, c_in, 3, 3), (c0,), (c1, c0, 3, 3), (c1,), (h, c1 * s * s), (h,), (n, h), (n,)]


def parameter_count(cfg: dict, pools: int = 2) -> int:
    return sum(math.prod(shape) for shape in expected_shapes(cfg, pools))


DEFAULT_CFG = {"in_channels": 1, "n_classes": 10, "image_size": 8, "channels": (16, 32), "hidden": 64}


def cnn_kwargs(cfg: dict) -> dict:
    out = dict(cfg)
    out["channels"] = tuple(out["channels"])
    return out


@st.composite
def cnn_configs(draw, max_size=16, max_width=8, max_hidden=24):
    return {"in_channels": draw(st.integers(1, 3), label="in_channels"),
            "n_classes": draw(st.integers(2, 12), label="n_classes"),
            "image_size": draw(st.integers(4, max_size), label="image_size"),
            "channels": (draw(st.integers(1, max_width), label="channels[0]"),
                         draw(st.integers(1, max_width), label="channels[1]")),
            "hidden": draw(st.integers(2, max_hidden), label="hidden")}


def describe_cfg(cfg: dict) -> str:
    return (f"CNN(in_channels={cfg['in_channels']}, n_classes={cfg['n_classes']}, image_size={cfg['image_size']}, "
            f"channels={tuple(cfg['channels'])}, hidden={cfg['hidden']})")


def forward64(params: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The stated architecture in float64 with the given parameters (eval mode: dropout is the identity)."""
    w1, b1, w2, b2, w3, b3, w4, b4 = [p.double() for p in params]
    h = F.max_pool2d(F.relu(F.conv2d(x.double(), w1, b1, padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
    h = F.relu(F.linear(h.flatten(1), w3, b3))
    return F.linear(h, w4, b4)


# ============================================================================= CNN probes
def probe_cnn(module, cfg: dict, x: torch.Tensor | None, dropout: float | None = None) -> dict:
    """Builds the student's CNN(**cfg) (in eval mode), lists its parameters in order and runs it on ``x``."""
    kwargs = cnn_kwargs(cfg)
    if dropout is not None:
        kwargs["dropout"] = dropout
    model = module.CNN(**kwargs)
    params = [p.detach().clone() for p in model.parameters()]
    out = {"shapes": [tuple(p.shape) for p in params], "count": sum(p.numel() for p in model.parameters()),
           "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad)}
    if x is not None:
        model.eval()
        with torch.no_grad():
            y = model(x)
        out["out"] = y.detach().clone() if isinstance(y, torch.Tensor) else y
        out["params"] = params
    return out


probe_cnn.describes = "CNN"


def check_count(out: dict, cfg: dict, what: str) -> None:
    expected = parameter_count(cfg)
    got = out["count"]
    if got != expected:
        hint = "fc_input_size" if got == parameter_count(cfg, pools=1) else None
        raise Mismatch(f"{what}\n  the model has {got} parameters; the stated architecture has {expected}\n"
                       f"  parameter shapes in order: {out['shapes']}\n"
                       f"  stated:                    {expected_shapes(cfg)}"
                       + (f"\nHint: {HINTS[hint]}" if hint else ""))
    if out["trainable"] != got:
        raise Mismatch(f"{what}\n  only {out['trainable']} of the {got} parameters require grad; all of them must "
                       "be trainable")


def check_forward(out: dict, cfg: dict, x: torch.Tensor, what: str, reveal: bool = True) -> None:
    shapes = [tuple(s) for s in out["shapes"]]
    if shapes != expected_shapes(cfg):
        hint = "fc_input_size" if shapes == expected_shapes(cfg, pools=1) else None
        raise Mismatch(f"{what}\n  the parameters, in the order model.parameters() lists them, have the shapes "
                       f"{shapes}; the stated architecture (conv1, conv2, fc1, fc2; weight then bias) has "
                       f"{expected_shapes(cfg)}" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    expected = forward64(out["params"], x)
    got = out["out"]
    hint = None
    if isinstance(got, torch.Tensor) and got.shape == expected.shape:
        probs = torch.softmax(expected, 1)
        if torch.allclose(got.double(), probs, rtol=1e-4, atol=1e-6) and \
                not torch.allclose(expected, probs, rtol=1e-4, atol=1e-6):
            hint = "forward_softmax"
    assert_close(got, expected, f"{what}\n  scores in eval mode, compared with conv1-relu-pool, conv2-relu-pool, "
                 "flatten, fc1-relu, fc2 computed in float64 with your model's own parameters:",
                 rtol=1e-4, atol=1e-5, hint=hint, hints=HINTS, reveal=reveal)


# ============================================================================= IDX files
def idx_images(images: np.ndarray, magic: int = 2051) -> bytes:
    n, r, c = images.shape
    return struct.pack(">4I", magic, n, r, c) + images.astype(np.uint8).tobytes()


def idx_labels(labels: np.ndarray, magic: int = 2049) -> bytes:
    return struct.pack(">2I", magic, len(labels)) + labels.astype(np.uint8).tobytes()


def probe_load_idx(module, files: dict, call: tuple[str, str], as_path: bool = False, catch: bool = False) -> dict:
    """Writes ``files`` (name -> bytes, gzip-compressed when the name ends in .gz) into a fresh folder and calls
    load_mnist_idx on the two names of ``call`` (as str, or as pathlib.Path). With ``catch`` an exception is
    returned as data (type, whether it is a ValueError, message) instead of raised."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    folder = tempfile.mkdtemp(prefix="cnn_idx_")
    try:
        for name, data in files.items():
            raw = bytes(np.asarray(data, dtype=np.uint8))
            if name.endswith(".gz"):
                raw = gzip.compress(raw, mtime=0)
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(raw)
        paths = [os.path.join(folder, name) for name in call]
        if as_path:
            paths = [Path(p) for p in paths]
        try:
            result = module.load_mnist_idx(*paths)
        except Exception as exc:
            if not catch:
                raise
            return {"raised": type(exc).__name__, "value_error": isinstance(exc, ValueError),
                    "message": str(exc)[:300]}
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return {"result": repr(result)[:300]}
        images, labels = result
        pack = lambda t: t.detach().clone() if isinstance(t, torch.Tensor) else repr(t)[:300]  # noqa: E731
        return {"images": pack(images), "labels": pack(labels)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


probe_load_idx.describes = "load_mnist_idx"


def check_loaded(out: dict, images: np.ndarray, labels: np.ndarray, what: str) -> None:
    if "result" in out:
        raise Mismatch(f"{what}\n  expected a tuple (images, labels)\n  got: {out['result']}")
    for name, got, want, dtype in (("images", out["images"], images, torch.uint8),
                                   ("labels", out["labels"], labels, torch.int64)):
        if not isinstance(got, torch.Tensor):
            raise Mismatch(f"{what}\n  {name} is not a tensor: {got}")
        hint = None
        if name == "images" and got.is_floating_point() and got.shape == want.shape and \
                torch.allclose(got.double(), torch.from_numpy(want.astype(np.float64) / 255.0), rtol=1e-6, atol=1e-7):
            hint = "images_scaled"
        if tuple(got.shape) != want.shape:
            raise Mismatch(f"{what}\n  {name}: shape {tuple(got.shape)}, expected {want.shape}")
        if got.dtype != dtype:
            raise Mismatch(f"{what}\n  {name}: dtype {str(got.dtype).removeprefix('torch.')}, expected "
                           f"{str(dtype).removeprefix('torch.')}" + (f"\nHint: {HINTS[hint]}" if hint else ""))
        expected = torch.from_numpy(want.astype(np.int64))
        if not torch.equal(got.to(torch.int64), expected):
            assert_close(got.to(torch.int64), expected, f"{what}\n  {name}: the values differ from the file's",
                         rtol=0, atol=0)


# ============================================================================= data and loaders
_DIGITS = {}


def digit_data(n: int | None = None):
    """(x, y): the first n of scikit-learn's digits as float32 (n, 1, 8, 8) in [0, 1] and int64 labels."""
    if "all" not in _DIGITS:
        images, labels = datasets.digits()
        _DIGITS["all"] = (torch.from_numpy(images / 16.0).unsqueeze(1), torch.from_numpy(labels))
    x, y = _DIGITS["all"]
    return (x, y) if n is None else (x[:n].clone(), y[:n].clone())


def epoch_orders(loader, epochs: int) -> list[list[int]]:
    """The order of the examples' ids (the grader stores an id in the images' first pixel) over ``epochs`` passes,
    and the batch sizes of the first pass."""
    orders = []
    for _ in range(epochs):
        order = []
        for images, _ in loader:
            order.extend(int(v) for v in images.reshape(len(images), -1)[:, 0].round().tolist())
        orders.append(order)
    return orders


def probe_loaders(module, n_train: int, n_test: int, batch_size: int, seeds: list[int]) -> dict:
    """make_loaders on id-tagged data (image k holds k in its first pixel): per seed, the types, batch sizes and
    the orders of two training epochs and one test epoch; then whether re-seeding the global generator
    reproduces the order of a loader built with another seed (the shuffle follows the global state)."""
    from torch.utils.data import DataLoader

    def data(n, offset):
        x = torch.rand(n, 1, 4, 4, generator=torch.Generator().manual_seed(n))
        x[:, 0, 0, 0] = torch.arange(offset, offset + n, dtype=torch.float32)
        return x, torch.arange(n) % 10

    xtr, ytr = data(n_train, 0)
    xte, yte = data(n_test, 1000)
    out = {"runs": []}
    for seed in seeds:
        train, test = module.make_loaders(xtr, ytr, xte, yte, batch_size, seed)
        run = {"types": [type(train).__name__, type(test).__name__],
               "dataloaders": [isinstance(train, DataLoader), isinstance(test, DataLoader)],
               "batch_sizes": [len(labels) for _, labels in train], "test_batch_sizes": [len(l) for _, l in test],
               "labels_ok": all(torch.equal(labels, (images.reshape(len(images), -1)[:, 0].round().long()) % 10)
                                for images, labels in train)}
        run["train"] = epoch_orders(train, 2)
        run["test"] = epoch_orders(test, 1)[0]
        out["runs"].append(run)
    # the global state: two loaders built with different seeds, each iterated after the same global re-seeding
    orders = []
    for seed in (seeds[0], seeds[-1]):
        train, _ = module.make_loaders(xtr, ytr, xte, yte, batch_size, seed)
        torch.manual_seed(12345)
        orders.append(epoch_orders(train, 1)[0])
    out["global_order_same"] = orders[0] == orders[1]
    return out


probe_loaders.describes = "make_loaders"


def check_loaders(out: dict, n_train: int, n_test: int, batch_size: int, seeds: list[int], what: str) -> None:
    full = [batch_size] * (n_train // batch_size) + ([n_train % batch_size] if n_train % batch_size else [])
    full_test = [batch_size] * (n_test // batch_size) + ([n_test % batch_size] if n_test % batch_size else [])
    runs = out["runs"]
    for seed, run in zip(seeds, runs):
        w = f"{what}, seed={seed}"
        if not all(run["dataloaders"]):
            raise Mismatch(f"{w}\n  make_loaders returned {run['types']}; both must be torch.utils.data.DataLoader")
        if run["batch_sizes"] != full:
            raise Mismatch(f"{w}\n  the training batches have the sizes {run['batch_sizes']}; expected {full} "
                           f"({n_train} examples in batches of {batch_size}, the last one kept)")
        if run["test_batch_sizes"] != full_test:
            raise Mismatch(f"{w}\n  the test batches have the sizes {run['test_batch_sizes']}; expected {full_test}")
        if not run["labels_ok"]:
            raise Mismatch(f"{w}\n  the training batches pair images with the labels of other examples")
        for k, order in enumerate(run["train"]):
            if sorted(order) != list(range(n_train)):
                raise Mismatch(f"{w}\n  training epoch {k + 1} does not visit every example exactly once")
        if run["train"][0] == list(range(n_train)):
            raise Mismatch(f"{w}\n  the training loader is not shuffled (the examples come in their given order)")
        if run["train"][0] == run["train"][1]:
            raise Mismatch(f"{w}\n  the two first training epochs visit the examples in the same order; the "
                           "order must change from epoch to epoch (shuffle=True with a generator, not one fixed "
                           "permutation)")
        if run["test"] != list(range(1000, 1000 + n_test)):
            hint = "test_shuffled" if sorted(run["test"]) == list(range(1000, 1000 + n_test)) else None
            raise Mismatch(f"{w}\n  the test loader does not give the examples in their given order (it must not "
                           "shuffle)" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    a, b = runs[0], runs[1]
    if a["train"] != b["train"]:
        hint = "unseeded_shuffle" if out["global_order_same"] else None
        raise Mismatch(f"{what}\n  two calls with the same seed={seeds[0]} give different training orders; the "
                       "order must depend on seed alone" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    c = runs[2]
    if c["train"][0] == a["train"][0]:
        hint = "unseeded_shuffle" if out["global_order_same"] else None
        raise Mismatch(f"{what}\n  seeds {seeds[0]} and {seeds[2]} give the same training order; the seed must "
                       "decide it" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    if out["global_order_same"]:
        raise Mismatch(f"{what}\n  loaders built with seeds {seeds[0]} and {seeds[-1]} give the same order when the "
                       "global random state is reset before iterating: the shuffle follows the global state\n"
                       f"Hint: {HINTS['unseeded_shuffle']}")


# ============================================================================= the probe model and the recorder
class ProbeNet(nn.Module):
    """The grader's model for the loop contracts: flatten, linear, ReLU, dropout(0.5), linear."""

    def __init__(self, in_features: int = 64, hidden: int = 32, n_classes: int = 10, p: float = 0.5):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(p),
                                 nn.Linear(hidden, n_classes))

    def forward(self, x):
        return self.net(x)


class Recorder:
    """Instruments a ProbeNet and its optimiser; ``events`` is the ordered record."""

    def __init__(self, model: nn.Module, optimizer=None):
        self.model, self.events, self.last = model, [], None
        self.handles = [model.register_forward_pre_hook(self._pre), model.register_forward_hook(self._post)]
        self.watched = model.net[1].weight
        self.handles.append(self.watched.register_hook(self._grad))
        if optimizer is not None:
            self.handles.append(optimizer.register_step_pre_hook(self._step))

    def _pre(self, module, args):
        self.events.append({"kind": "forward", "training": module.training, "grad": torch.is_grad_enabled()})

    def _post(self, module, args, output):
        self.last = output

    def _grad(self, grad):
        g = self.watched.grad
        self.events.append({"kind": "backward", "clean": g is None or not bool(g.any())})

    def _step(self, optimizer, args, kwargs):
        has = any(p.grad is not None and bool(p.grad.any()) for group in optimizer.param_groups
                  for p in group["params"])
        self.events.append({"kind": "step", "has_grad": has,
                            "lr": float(optimizer.param_groups[0].get("lr", float("nan"))),
                            "optimizer": type(optimizer).__name__})

    def loss_fn(self, scores, target):
        """The loss handed to the student's code: records what it was given, returns cross-entropy."""
        event = {"kind": "loss", "scores": "other", "target": "other", "n": int(target.shape[0])
                 if isinstance(target, torch.Tensor) and target.dim() >= 1 else 0}
        last = self.last
        if isinstance(scores, torch.Tensor) and isinstance(last, torch.Tensor) and scores.shape == last.shape:
            s, l = scores.detach(), last.detach()
            if torch.equal(s, l):
                event["scores"] = "raw"
            elif torch.allclose(s, torch.softmax(l, 1), rtol=1e-5, atol=1e-7):
                event["scores"] = "softmax"
            elif torch.allclose(s, torch.log_softmax(l, 1), rtol=1e-5, atol=1e-6):
                event["scores"] = "log_softmax"
        if isinstance(target, torch.Tensor):
            if target.dtype == torch.int64 and target.dim() == 1:
                event["target"] = "labels"
                event["labels"] = target.detach().clone()
            elif target.is_floating_point() and target.dim() == 2 and bool(((target == 0) | (target == 1)).all()) \
                    and bool((target.sum(1) == 1).all()):
                event["target"] = "one_hot"
                event["labels"] = target.argmax(1)
            else:
                event["target"] = f"{str(target.dtype).removeprefix('torch.')} of shape {tuple(target.shape)}"
        loss = F.cross_entropy(scores, target)
        event["value"] = float(loss.detach())
        self.events.append(event)
        return loss

    def remove(self):
        for h in self.handles:
            h.remove()


def make_probe_model(seed: int, hidden: int = 32, start: str = "eval") -> nn.Module:
    g = torch.random.fork_rng()
    with g:
        torch.manual_seed(seed)
        model = ProbeNet(hidden=hidden)
    return model.train() if start == "train" else model.eval()


def loader_of(x, y, batch_size):
    from torch.utils.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=False)


def warm_up_optimizers() -> bool:
    """Builds an optimiser once (the first one imports torch._dynamo: seconds on a busy machine, not the
    student's time)."""
    torch.optim.Adam(nn.Linear(1, 1).parameters())
    torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)
    return True


def probe_train_epoch(module, n: int, batch_size: int, seed: int, epochs: int = 1, lr: float = 0.1) -> dict:
    """train_epoch ``epochs`` times on a ProbeNet handed over in eval mode, with SGD(lr) and the recording loss,
    on the first n digits in order (an unshuffled DataLoader)."""
    x, y = digit_data(n)
    model = make_probe_model(seed, start="eval")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    rec = Recorder(model, optimizer)
    returned = []
    try:
        for _ in range(epochs):
            rec.events.append({"kind": "epoch"})
            value = module.train_epoch(model, loader_of(x, y, batch_size), optimizer, rec.loss_fn)
            returned.append(value.detach().clone() if isinstance(value, torch.Tensor) else value)
    finally:
        rec.remove()
    return {"events": rec.events, "returned": returned, "training_after": model.training}


probe_train_epoch.describes = "train_epoch"


def probe_evaluate(module, n: int, batch_size: int, seed: int, start: str = "train") -> dict:
    """evaluate on a ProbeNet handed over in ``start`` mode, with the recording loss. The expected values are
    computed first, on a copy, in eval mode without gradients."""
    import copy

    x, y = digit_data(n)
    model = make_probe_model(seed, start=start)
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():
        scores = torch.cat([reference(xb) for xb, _ in loader_of(x, y, batch_size)])
    losses = [float(F.cross_entropy(scores[i:i + batch_size], y[i:i + batch_size])) for i in range(0, n, batch_size)]
    sizes = [len(y[i:i + batch_size]) for i in range(0, n, batch_size)]
    correct = int((scores.argmax(1) == y).sum())
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    rec = Recorder(model)
    try:
        result = module.evaluate(model, loader_of(x, y, batch_size), rec.loss_fn)
    finally:
        rec.remove()
    changed = [k for k, v in model.state_dict().items() if not torch.equal(v, before[k])]
    if isinstance(result, (tuple, list)):
        result = [r.detach().clone() if isinstance(r, torch.Tensor) else r for r in result]
    return {"events": rec.events, "result": result, "training_after": model.training, "changed": changed,
            "expected_loss": sum(l * s for l, s in zip(losses, sizes)) / n, "batch_mean": sum(losses) / len(losses),
            "correct": correct, "n": n}


probe_evaluate.describes = "evaluate"


def probe_fit(module, n_train: int, n_test: int, batch_size: int, seed: int, epochs: int, lr: float,
              verbose: bool = False) -> dict:
    """fit on a ProbeNet (dropout) with grader-built loaders over digits; records every optimiser step (class, lr)
    and recomputes the final model's train and test accuracy and test loss in eval mode. With ``verbose`` fit is
    called with verbose=True and what it prints is captured, with the position in that text at each step (so that
    the lines can be told apart by epoch), then printed again for the test's output."""
    import contextlib
    import io
    import sys

    from torch.optim.optimizer import register_optimizer_step_pre_hook
    from torch.utils.data import DataLoader, TensorDataset

    x, y = digit_data(n_train + n_test)
    train = DataLoader(TensorDataset(x[:n_train], y[:n_train]), batch_size=batch_size, shuffle=True,
                       generator=torch.Generator().manual_seed(seed))
    test = loader_of(x[n_train:], y[n_train:], batch_size)
    model = make_probe_model(seed, start="train")
    steps, seen = [], []   # seen keeps every optimiser alive, so that their indices (unlike id()) stay distinct
    printed, marks = io.StringIO(), []

    def on_step(opt, args, kwargs):
        if not any(o is opt for o in seen):
            seen.append(opt)
        index = next(i for i, o in enumerate(seen) if o is opt)
        steps.append((type(opt).__name__, float(opt.param_groups[0].get("lr", float("nan"))),
                      any(p is model.net[1].weight for g in opt.param_groups for p in g["params"]), index))
        marks.append(len(printed.getvalue()))

    handle = register_optimizer_step_pre_hook(on_step)
    try:
        with contextlib.redirect_stdout(printed) if verbose else contextlib.nullcontext():
            history = module.fit(model, train, test, epochs=epochs, lr=lr, verbose=verbose)
    finally:
        handle.remove()
        seen.clear()
        if verbose:
            sys.stdout.write(printed.getvalue()[:3000])
    model.eval()
    with torch.no_grad():
        s_test, s_train = model(x[n_train:]), model(x[:n_train])
    final = {"test_acc": float((s_test.argmax(1) == y[n_train:]).double().mean()),
             "train_acc": float((s_train.argmax(1) == y[:n_train]).double().mean()),
             "test_loss": float(F.cross_entropy(s_test.double(), y[n_train:]))}
    if isinstance(history, dict):
        history = {str(k): ([v.item() if isinstance(v, torch.Tensor) and v.numel() == 1 else v for v in vals]
                            if isinstance(vals, (list, tuple)) else repr(vals)[:200]) for k, vals in history.items()}
    else:
        history = repr(history)[:300]
    return {"history": history, "steps": steps, "final": final, "printed": printed.getvalue()[:20000],
            "marks": marks}


probe_fit.describes = "fit"


def probe_end_to_end(module, data_seed: int, init_seed: int, epochs: int, batch_size: int, lr: float) -> dict:
    """fit(CNN(), ...) on digits_split(data_seed) with grader-built loaders (training shuffled by a generator
    seeded with data_seed); the held-out accuracy of the trained model, recomputed here in eval mode."""
    from torch.utils.data import DataLoader, TensorDataset

    xtr, ytr, xte, yte = datasets.digits_split(data_seed)
    train = DataLoader(TensorDataset(xtr, ytr), batch_size=batch_size, shuffle=True,
                       generator=torch.Generator().manual_seed(data_seed))
    test = DataLoader(TensorDataset(xte, yte), batch_size=256, shuffle=False)
    torch.manual_seed(init_seed)
    model = module.CNN()
    history = module.fit(model, train, test, epochs=epochs, lr=lr)
    model.eval()
    with torch.no_grad():
        scores = model(xte)
    return {"accuracy": float((scores.argmax(1) == yte).double().mean()), "n_test": len(yte)}


probe_end_to_end.describes = "fit(CNN(), ...)"


# ============================================================================= loop checks
def _events(out, kind):
    return [e for e in out["events"] if e["kind"] == kind]


def check_loop_order(out: dict, n: int, batch_size: int, what: str, epochs: int = 1) -> None:
    """Per batch: a forward pass in train mode with gradients tracked, the loss on raw scores and int64 labels, a
    gradient computed onto a clean .grad, one step after it; then the model left in train mode."""
    batches = epochs * -(-n // batch_size)
    events = [e for e in out["events"] if e["kind"] != "epoch"]
    forwards = _events(out, "forward")
    if forwards and not forwards[0]["training"] and all(not e["training"] for e in forwards):
        raise Mismatch(f"{what}\n  every forward pass ran with the model in eval mode\nHint: {HINTS['train_mode']}")
    if any(not e["training"] for e in forwards):
        raise Mismatch(f"{what}\n  some forward passes ran with the model in eval mode; training runs in train mode")
    if any(not e["grad"] for e in forwards):
        raise Mismatch(f"{what}\n  some forward passes ran without gradient tracking (no_grad), so nothing could be "
                       "learnt from them")
    losses = _events(out, "loss")
    if len(losses) != batches:
        raise Mismatch(f"{what}\n  loss_fn was called {len(losses)} times for {batches} batches; call it once per "
                       "batch")
    for k, e in enumerate(losses):
        if e["scores"] == "softmax":
            raise Mismatch(f"{what}\n  batch {k}: loss_fn was given the softmax of the model's output, not the output "
                           f"itself\nHint: {HINTS['softmax_before_loss']}")
        if e["scores"] != "raw":
            raise Mismatch(f"{what}\n  batch {k}: loss_fn was given something other than the model's raw output "
                           f"({'its log-softmax' if e['scores'] == 'log_softmax' else 'a changed tensor'})")
        if e["target"] == "one_hot":
            raise Mismatch(f"{what}\n  batch {k}: loss_fn was given one-hot float targets of shape "
                           f"({e['n']}, 10)\nHint: {HINTS['one_hot_labels']}")
        if e["target"] != "labels":
            raise Mismatch(f"{what}\n  batch {k}: loss_fn was given as target a {e['target']}; pass the int64 labels "
                           "of the batch")
    backwards, steps = _events(out, "backward"), _events(out, "step")
    if not steps:
        raise Mismatch(f"{what}\n  optimizer.step() was never called")
    if len(steps) != batches:
        raise Mismatch(f"{what}\n  optimizer.step() was called {len(steps)} times for {batches} batches; once per "
                       "batch")
    if len(backwards) != batches:
        raise Mismatch(f"{what}\n  gradients reached the model {len(backwards)} times for {batches} batches (one "
                       "loss.backward() per batch)")
    # the order within each batch: loss ... backward ... step, before the next batch's forward
    kinds = [e["kind"] for e in events if e["kind"] in ("forward", "loss", "backward", "step")]
    per_batch, current = [], []
    for kind in kinds:
        if kind == "forward" and current:
            per_batch.append(current)
            current = []
        current.append(kind)
    per_batch.append(current)
    for k, seq in enumerate(per_batch):
        if "step" in seq and "backward" in seq and seq.index("step") < seq.index("backward"):
            raise Mismatch(f"{what}\n  batch {k}: the calls came in the order {seq}: the step came before the "
                           f"gradients of this batch were computed\nHint: {HINTS['step_before_backward']}")
        if seq != ["forward", "loss", "backward", "step"]:
            raise Mismatch(f"{what}\n  batch {k}: the calls came in the order {seq}; expected forward, loss, "
                           "backward, step")
    dirty = [k for k, e in enumerate(backwards) if not e["clean"]]
    if dirty:
        raise Mismatch(f"{what}\n  in batches {dirty[:5]}{' ...' if len(dirty) > 5 else ''} the new gradients were "
                       "added to a .grad that still held the gradients of earlier batches\n"
                       f"Hint: {HINTS['no_zero_grad']}")
    if not all(e["has_grad"] for e in steps):
        raise Mismatch(f"{what}\n  some steps were taken with no gradient in .grad")
    if not out["training_after"]:
        raise Mismatch(f"{what}\n  train_epoch left the model in eval mode; it must stay in train mode")


def check_epoch_loss(out: dict, n: int, batch_size: int, what: str, reveal: bool = True) -> None:
    """Each value returned is the size-weighted mean of that epoch's recorded batch losses; the loss goes down."""
    epochs, current = [], None
    for e in out["events"]:
        if e["kind"] == "epoch":
            current = []
            epochs.append(current)
        elif e["kind"] == "loss" and current is not None:
            current.append(e)
    for k, (losses, got) in enumerate(zip(epochs, out["returned"])):
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            raise Mismatch(f"{what}\n  epoch {k + 1}: train_epoch returned a tensor ({got!r}); return a Python float "
                           "(loss.item())"[:1500])
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            raise Mismatch(f"{what}\n  epoch {k + 1}: expected the mean loss as a Python float\n  got: {got!r}"[:1500])
        if not losses:
            raise Mismatch(f"{what}\n  epoch {k + 1}: loss_fn was never called")
        weighted = sum(e["value"] * e["n"] for e in losses) / sum(e["n"] for e in losses)
        plain = sum(e["value"] for e in losses) / len(losses)
        if exceeds(abs(got - weighted), 1e-5 * max(1.0, abs(weighted))):
            hint = "batch_mean" if abs(got - plain) <= 1e-5 * max(1.0, abs(plain)) and \
                exceeds(abs(plain - weighted), 1e-4) else None
            shown = f"  expected: {weighted!r} (the batch losses weighted by their sizes, / {n})\n" if reveal else ""
            raise Mismatch(f"{what}\n  epoch {k + 1}: the value returned is not the mean training loss of the epoch\n"
                           f"{shown}  got:      {got!r}" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    values = out["returned"]
    if len(values) > 1 and not values[-1] < values[0]:
        raise Mismatch(f"{what}\n  the mean training loss did not go down over {len(values)} epochs: {values}")


def check_evaluate(out: dict, what: str, reveal: bool = True) -> None:
    forwards = _events(out, "forward")
    if not forwards:
        raise Mismatch(f"{what}\n  the model was never called")
    if any(e["training"] for e in forwards):
        raise Mismatch(f"{what}\n  {sum(e['training'] for e in forwards)} of the {len(forwards)} forward passes ran "
                       f"in training mode (the model was handed over in training mode)\nHint: {HINTS['eval_mode']}")
    if any(e["grad"] for e in forwards):
        raise Mismatch(f"{what}\n  the forward passes tracked gradients\nHint: {HINTS['no_grad']}")
    if _events(out, "backward") or out["changed"]:
        raise Mismatch(f"{what}\n  evaluate changed the model ({', '.join(out['changed'][:3]) or 'gradients'}); it "
                       "must not train")
    for e in _events(out, "loss"):
        if e["target"] != "labels":
            raise Mismatch(f"{what}\n  loss_fn was given as target a {e['target'].replace('_', '-')}; pass the int64 "
                           "labels")
    result = out["result"]
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Mismatch(f"{what}\n  expected a tuple (mean_loss, accuracy)\n  got: {result!r}"[:1500])
    loss, acc = result
    for name, v in (("mean_loss", loss), ("accuracy", acc)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise Mismatch(f"{what}\n  {name} must be a Python float\n  got: {v!r}"[:1500])
    n, correct = out["n"], out["correct"]
    if exceeds(abs(acc - correct / n), 1e-9):
        hint = "accuracy_count" if acc == correct and correct != correct / n else None
        shown = f"  expected: {correct / n!r}\n" if reveal else ""
        raise Mismatch(f"{what}\n  the accuracy returned is not the fraction of the {n} examples classified "
                       f"correctly\n{shown}  got:      {acc!r}" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    expected = out["expected_loss"]
    if exceeds(abs(loss - expected), 1e-5 * max(1.0, abs(expected))):
        hint = "batch_mean" if abs(loss - out["batch_mean"]) <= 1e-5 * max(1.0, abs(expected)) else None
        shown = f"  expected: {expected!r}\n" if reveal else ""
        raise Mismatch(f"{what}\n  the mean loss returned is not the mean per-example loss over the loader\n"
                       f"{shown}  got:      {loss!r}" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    if out["training_after"]:
        raise Mismatch(f"{what}\n  evaluate left the model in training mode; it must leave it in eval mode")


def check_fit(out: dict, epochs: int, lr: float, batches: int, what: str) -> None:
    history = out["history"]
    keys = ("train_loss", "train_acc", "test_loss", "test_acc")
    if not isinstance(history, dict) or set(history) != set(keys):
        raise Mismatch(f"{what}\n  expected a dict with the keys {list(keys)}\n  got: "
                       f"{sorted(history) if isinstance(history, dict) else history}")
    for key in keys:
        vals = history[key]
        if not isinstance(vals, list) or len(vals) != epochs:
            raise Mismatch(f"{what}\n  history[{key!r}] must be a list of {epochs} values (one per epoch)\n  got: "
                           f"{vals!r}"[:1500])
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            raise Mismatch(f"{what}\n  history[{key!r}] must hold Python floats\n  got: {vals!r}"[:1500])
    steps = out["steps"]
    ours = [s for s in steps if s[2]]
    if not ours:
        raise Mismatch(f"{what}\n  no optimiser over the model's parameters took a step")
    if any(s[0] != "Adam" for s in ours):
        raise Mismatch(f"{what}\n  the optimiser is {ours[0][0]}; fit uses torch.optim.Adam")
    if not math.isclose(ours[0][1], lr, rel_tol=1e-9):
        hint = "lr_ignored" if math.isclose(ours[0][1], 1e-3, rel_tol=1e-9) else None
        raise Mismatch(f"{what}\n  the optimiser's learning rate at its first step is {ours[0][1]!r}; lr={lr} was "
                       "passed" + (f"\nHint: {HINTS[hint]}" if hint else ""))
    if len({s[3] for s in ours}) > 1:
        raise Mismatch(f"{what}\n  {len({s[3] for s in ours})} different optimisers took the steps; build one before "
                       f"the first epoch\nHint: {HINTS['optimizer_per_epoch']}")
    if len(ours) != epochs * batches:
        raise Mismatch(f"{what}\n  the optimiser took {len(ours)} steps; {epochs} epochs of {batches} batches make "
                       f"{epochs * batches}")
    final = out["final"]
    for key in ("test_acc", "train_acc"):
        if exceeds(abs(history[key][-1] - final[key]), 1e-9):
            raise Mismatch(f"{what}\n  history[{key!r}][-1] = {history[key][-1]!r}, but the trained model (in eval "
                           f"mode) classifies a fraction {final[key]!r} of that split correctly")
    if exceeds(abs(history["test_loss"][-1] - final["test_loss"]), 1e-4 * max(1.0, final["test_loss"])):
        raise Mismatch(f"{what}\n  history['test_loss'][-1] = {history['test_loss'][-1]!r}, but the trained model's "
                       f"mean test loss (eval mode) is {final['test_loss']!r}")
    if not history["train_loss"][-1] < history["train_loss"][0]:
        raise Mismatch(f"{what}\n  the training loss did not go down: {history['train_loss']}")


def _names_number(text: str, k: int) -> bool:
    """Whether ``text`` holds the whole number k (not a digit of a longer number or of a decimal such as 0.1234)."""
    return re.search(rf"(?<![\d.]){k}(?!\.?\d)", text) is not None


def check_printed(out: dict, epochs: int, batches: int, what: str) -> None:
    """With verbose=True: a line printed for every epoch (between its last step and the next epoch's first step),
    naming the epoch's number counted from 1."""
    text, marks = out["printed"], out["marks"]
    if not text.strip():
        raise Mismatch(f"{what}\n  fit printed nothing; with verbose=True it prints one line per epoch")
    if len(marks) != epochs * batches:
        raise Mismatch(f"{what}\n  the optimiser took {len(marks)} steps; {epochs} epochs of {batches} batches make "
                       f"{epochs * batches}, so the printed lines cannot be matched with the epochs")
    ends = [marks[(k + 1) * batches] for k in range(epochs - 1)] + [len(text)]
    segments = [text[marks[(k + 1) * batches - 1]:end] for k, end in enumerate(ends)]
    for k, segment in enumerate(segments, start=1):
        lines = [line for line in segment.splitlines() if line.strip()]
        if not lines:
            raise Mismatch(f"{what}\n  nothing was printed after epoch {k}'s training (before the next epoch began); "
                           "print one line per epoch")
        if not _names_number(segment, k):
            hint = "epoch_from_zero" if all(_names_number(s, j) for j, s in enumerate(segments)) else None
            shown = "\n".join(f"    {line}" for line in lines[:3])[:600]
            raise Mismatch(f"{what}\n  the line printed after epoch {k} does not give its number {k} (epochs are "
                           f"numbered 1 .. {epochs}); it printed:\n{shown}" + (f"\nHint: {HINTS[hint]}" if hint else ""))


# ============================================================================= the plot
def figure_lines(fig) -> list[list[list[float]]]:
    """Per axes of a saved figure, the y-data of its lines."""
    from matplotlib.lines import Line2D

    out = []
    for ax in fig.get_axes():
        lines = []
        for artist in ax.get_children():
            if isinstance(artist, Line2D):
                try:
                    lines.append([float(v) for v in np.asarray(artist.get_ydata(), dtype=np.float64).ravel()])
                except Exception:
                    continue
        out.append(lines)
    return out


def probe_plot(module, history: dict) -> dict:
    """plot_history into a fresh temporary folder; the file's bytes and the lines of the saved figure."""
    import os
    import shutil
    import tempfile

    from matplotlib.figure import Figure

    folder = tempfile.mkdtemp(prefix="cnn_history_")
    original = Figure.savefig
    drawn = []

    def savefig(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        drawn.append(figure_lines(self))
        return result

    Figure.savefig = savefig
    try:
        path = os.path.join(folder, "history.png")
        module.plot_history(history, path)
        data = None
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                data = np.frombuffer(fh.read(), dtype=np.uint8).copy()
        return {"data": data, "lines": drawn[-1] if drawn else None}
    finally:
        Figure.savefig = original
        shutil.rmtree(folder, ignore_errors=True)


probe_plot.describes = "plot_history"


def check_png(data, what: str):
    """The PNG written: opens, 64 to 4096 pixels a side, not one flat colour (checks.png_pixels)."""
    return png_pixels(data, what, HINTS['plot'], min_side=64, max_side=4096)


def check_panels(lines, history: dict, what: str) -> None:
    """Two panels: one axes draws train_loss and test_loss, another train_acc and test_acc."""
    if lines is None:
        raise Mismatch(f"{what}\n  the PNG was not written with a matplotlib Figure's savefig (fig.savefig or "
                       f"plt.savefig), so what it draws cannot be checked\nHint: {HINTS['plot']}")

    def draws(ax_lines, values) -> bool:
        want = np.asarray(values, dtype=np.float64)
        return any(len(l) == len(want) and np.allclose(np.asarray(l), want, rtol=1e-6, atol=1e-9) for l in ax_lines)

    panels = {}
    for name, keys in (("loss", ("train_loss", "test_loss")), ("accuracy", ("train_acc", "test_acc"))):
        found = [i for i, ax in enumerate(lines) if all(draws(ax, history[k]) for k in keys)]
        if not found:
            partial = [k for k in keys if any(draws(ax, history[k]) for ax in lines)]
            raise Mismatch(f"{what}\n  no axes of the figure draws both {keys[0]} and {keys[1]} as lines"
                           + (f" (found only {partial})" if partial else "")
                           + f"; the figure has {len(lines)} axes")
        panels[name] = found
    if set(panels["loss"]) == set(panels["accuracy"]) and len(panels["loss"]) == 1:
        raise Mismatch(f"{what}\n  the losses and the accuracies are drawn in the same axes; draw them in two panels")
