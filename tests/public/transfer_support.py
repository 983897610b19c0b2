"""Shared by the public and hidden transfer tests: hints, data, the grader's models, probes and checks.

The grader never downloads anything. Its models are small CNNs with BatchNorm and Dropout, built from a
spec (channels, classes, seed) with seeded weights and seeded, non-trivial BatchNorm running statistics,
both here and inside the probes (which run next to the student's module, so that the student's
functions receive real ``nn.Module`` objects and the probes can instrument the training: forward hooks,
gradient hooks on the head, an optimiser step hook, a wrapped ``F.cross_entropy`` and ``DataLoader``).
The data are scikit-learn's 8x8 digits (``autograder.datasets``). ``load_alexnet`` is called with a
stand-in ``torchvision`` module put into ``sys.modules`` for the duration of the call.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import torch
from torch import nn

from autograder.checks import Mismatch, exceeds, png_pixels

EXERCISE = "transfer"

HINTS = {
    "freeze_no_effect": "after freeze(module), some parameters still have requires_grad=True: set it to False on "
                        "every parameter of module.parameters() (which recurses into the submodules), e.g. "
                        "p.requires_grad_(False) or module.requires_grad_(False); an attribute set on the module "
                        "itself (module.requires_grad = False) freezes nothing.",
    "head_not_attached": "the model still ends in its old layer: replace_head must put the new nn.Linear into the "
                         "model at the place named by attr (setattr on the parent module, e.g. "
                         "setattr(model.get_submodule(\"classifier\"), \"6\", head)), not only return it.",
    "head_old_classes": "the new head has as many outputs as the old layer had; it needs one output per class of the "
                        "new task: nn.Linear(old.in_features, n_classes).",
    "head_frozen": "the new head has requires_grad=False, so nothing can train: freeze the pretrained model first, "
                   "then replace its last layer (a new nn.Linear is trainable).",
    "optimizer_all_params": "the optimiser holds frozen parameters too: give torch.optim.Adam only the parameters "
                            "with requires_grad=True ([p for p in model.parameters() if p.requires_grad]).",
    "eval_mode_missing": "the model ran in train mode during the evaluation (its Dropout was active): call "
                         "model.eval() before evaluating.",
    "no_grad_missing": "the evaluation ran with gradients enabled: wrap it in `with torch.no_grad():`.",
    "step_before_backward": "optimizer.step() was called when no gradient had been computed since the last one "
                            "(is step() before loss.backward()?): per mini-batch call optimizer.zero_grad(), "
                            "loss.backward(), optimizer.step(), in this order.",
    "no_zero_grad": "the head's gradient was not cleared between mini-batches, so the gradients of all earlier "
                    "batches piled up in .grad: call optimizer.zero_grad() once per mini-batch, before "
                    "loss.backward().",
    "softmax_before_ce": "nn.CrossEntropyLoss received probabilities (rows in [0, 1] summing to 1): it applies the "
                         "log-softmax itself, so give it the raw scores of the model, without a softmax.",
    "backbone_train_mode": "the frozen backbone ran in train mode during training, so its BatchNorm layers updated "
                           "their running statistics (requires_grad=False does not protect buffers): call "
                           "model.eval() before training and keep the model in eval mode.",
    "use_dataloader": "train_head must iterate over mini-batches with a torch.utils.data.DataLoader over "
                      "TensorDataset(x, y) (batch_size, shuffle=True, a seeded generator), as the task asks.",
    "hyperparameters_ignored": "train_head must use the epochs, batch_size and lr it is given (not fixed values or "
                               "the defaults).",
    "seed_ignored": "the same seed gave two different histories: build the DataLoader with "
                    "generator=torch.Generator().manual_seed(seed), so that the shuffling depends on seed only.",
    "not_trained": "the head did not change: for every mini-batch call optimizer.zero_grad(), loss.backward() and "
                   "optimizer.step(), with the optimiser from make_optimizer(model, lr).",
    "loss_unweighted": "history[\"loss\"] is the plain mean of the epoch's mini-batch losses; the last mini-batch "
                       "is smaller, so weight each batch's loss by its number of images: sum(loss * len(batch)) / N.",
    "plot": "save the figure to the path given (fig.savefig(path) on a matplotlib Figure with the Agg backend), "
            "with history[\"loss\"] and history[\"val_accuracy\"] each drawn as a line against the epochs.",
}


# ============================================================================= data
@functools.lru_cache(maxsize=None)
def _digits():
    from autograder.datasets import digits_split

    return digits_split(0)


def digits_subset(classes, per_class: int | None, split: str = "train", offset: int = 0):
    """Images and labels (relabelled 0 .. len(classes)-1) of the given digit classes, the first ``per_class``
    of each class after ``offset`` (all of them when per_class is None), in class order."""
    x_tr, y_tr, x_te, y_te = _digits()
    x, y = (x_tr, y_tr) if split == "train" else (x_te, y_te)
    xs, ys = [], []
    for new, c in enumerate(classes):
        idx = torch.nonzero(y == c).flatten()
        idx = idx[offset:] if per_class is None else idx[offset:offset + per_class]
        xs.append(x[idx])
        ys.append(torch.full((len(idx),), new, dtype=torch.int64))
    return torch.cat(xs), torch.cat(ys)


# ============================================================================= the grader's models
class GraderNet(nn.Module):
    """The exercise's SmallCNN layout: features (conv, BN, ReLU, pool, x2, flatten, dropout) and fc."""

    def __init__(self, n_classes: int = 5, channels: int = 8, p_drop: float = 0.25):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(p_drop),
        )
        self.fc = nn.Linear(channels * 2 * 2, n_classes)

    def forward(self, x):
        return self.fc(self.features(x))


class TinyAlexNet(nn.Module):
    """AlexNet's layout (features, avgpool, classifier with Dropout/Linear/ReLU and the last layer at index 6),
    small: 1-channel 8x8 inputs, ``hidden`` in place of 4096."""

    def __init__(self, hidden: int = 12, n_out: int = 1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(32, hidden), nn.ReLU(inplace=True),
            nn.Dropout(0.5), nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, n_out),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


HEAD_ATTR = {"small": "fc", "alex": "classifier.6"}


def build(spec: dict) -> nn.Module:
    """A model from a spec: arch "small" (GraderNet: channels, n_out, p_drop) or "alex" (TinyAlexNet: hidden,
    n_out), with weights drawn from ``seed`` and BatchNorm running statistics far from (0, 1), in train mode."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(spec["seed"]))
        if spec["arch"] == "small":
            model = GraderNet(int(spec["n_out"]), int(spec.get("channels", 8)), float(spec.get("p_drop", 0.25)))
        else:
            model = TinyAlexNet(int(spec.get("hidden", 12)), int(spec["n_out"]))
            for m in model.modules():   # He initialisation: features that still vary after two ReLU layers
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.kaiming_normal_(m.weight)
                    nn.init.uniform_(m.bias, -0.1, 0.1)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.rand(m.num_features) * 0.4)
                m.running_var.copy_(0.05 + torch.rand(m.num_features) * 0.3)
                m.num_batches_tracked.fill_(100)
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.2, 0.2)
    return model.train()


def describe(spec: dict) -> str:
    if spec["arch"] == "small":
        return (f"a SmallCNN-shaped model (channels={spec.get('channels', 8)}, {spec['n_out']} outputs, "
                f"Dropout {spec.get('p_drop', 0.25)}, BatchNorm statistics set by the grader, weights from seed "
                f"{spec['seed']})")
    return (f"an AlexNet-shaped model (classifier[6]: {spec.get('hidden', 12)} -> {spec['n_out']}, Dropout 0.5, "
            f"BatchNorm statistics set by the grader, weights from seed {spec['seed']})")


def grader_freeze(module: nn.Module) -> None:
    for p in module.parameters():
        p.requires_grad_(False)


def grader_replace(model: nn.Module, attr: str, n_classes: int, seed: int) -> nn.Linear:
    parent_name, _, name = attr.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        head = nn.Linear(getattr(parent, name).in_features, n_classes)
    setattr(parent, name, head)
    return head


def prepared(spec: dict, n_classes: int, head_seed: int) -> tuple[nn.Module, nn.Linear]:
    """The model of ``spec`` with its backbone frozen and a new head of ``n_classes`` outputs (grader's code)."""
    model = build(spec)
    grader_freeze(model)
    head = grader_replace(model, HEAD_ATTR[spec["arch"]], n_classes, head_seed)
    return model, head


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def grader_accuracy(model: nn.Module, x, y) -> float:
    was = model.training
    model.eval()
    with torch.no_grad():
        acc = float((model(x).argmax(1) == y).double().mean())
    model.train(was)
    return acc


def warm_up_optimizers() -> bool:
    """Builds an Adam once: the first optimiser imports torch._dynamo (seconds on a busy machine), which is not
    the student's time."""
    torch.optim.Adam(nn.Linear(1, 1).parameters())
    return True


# ============================================================================= probes: the parts
def probe_freeze(module, spec: dict, target: str) -> dict:
    """freeze(model) or freeze(model.features) on a model in train mode: which parameters still train, what else
    changed."""
    model = build(spec)
    before = snapshot(model)
    modes = [m.training for m in model.modules()]
    names = [(n, type(m).__name__) for n, m in model.named_modules()]
    part = model if target == "model" else model.get_submodule(target)
    inside = {f"{target}.{n}" if target != "model" else n for n, _ in part.named_parameters()}
    returned = module.freeze(part)
    flags = {n: p.requires_grad for n, p in model.named_parameters()}
    after = snapshot(model)
    return {
        "returned_self": returned is part,
        "still_trainable": sorted(n for n in inside if flags[n]),
        "frozen_outside": sorted(n for n in flags if n not in inside and not flags[n]),
        "values_changed": sorted(k for k in before if k not in after or not torch.equal(before[k], after[k])),
        "modes_changed": modes != [m.training for m in model.modules()],
        "modules_changed": names != [(n, type(m).__name__) for n, m in model.named_modules()],
    }


probe_freeze.describes = "freeze"


def probe_replace(module, spec: dict, n_classes: int, frozen: bool, n_inputs: int) -> dict:
    """replace_head(model, n_classes, attr) on a model (frozen first, or not): what is at attr afterwards, and
    what else changed."""
    model = build(spec)
    attr = HEAD_ATTR[spec["arch"]]
    if frozen:
        grader_freeze(model)
    old = model.get_submodule(attr)
    before = {k: v for k, v in snapshot(model).items() if not k.startswith(attr + ".")}
    flags = {n: p.requires_grad for n, p in model.named_parameters() if not n.startswith(attr + ".")}
    returned = module.replace_head(model, n_classes, attr)
    now = model.get_submodule(attr)
    out = {
        "returned_linear": isinstance(returned, nn.Linear), "returned_type": type(returned).__name__,
        "at_attr_type": type(now).__name__, "at_attr_is_returned": now is returned, "still_old": now is old,
        "old_in": old.in_features, "old_out": old.out_features,
    }
    if isinstance(now, nn.Linear):
        out.update(in_features=now.in_features, out_features=now.out_features, bias=now.bias is not None,
                   trainable=[p.requires_grad for p in now.parameters()])
    after = snapshot(model)
    out["others_changed"] = sorted(k for k, v in before.items() if k not in after or not torch.equal(after[k], v))
    out["flags_changed"] = sorted(n for n, p in model.named_parameters() if n in flags and p.requires_grad != flags[n])
    model.eval()
    with torch.no_grad():
        x = torch.rand(n_inputs, 1, 8, 8, generator=torch.Generator().manual_seed(n_inputs))
        y = model(x)
    out["output_shape"] = list(y.shape)
    return out


probe_replace.describes = "replace_head"


def fake_torchvision(calls: list):
    """A stand-in ``torchvision`` package with ``models.alexnet`` (recording its arguments) and
    ``models.AlexNet_Weights`` (DEFAULT and IMAGENET1K_V1)."""
    import types

    tv = types.ModuleType("torchvision")
    models = types.ModuleType("torchvision.models")

    class AlexNet_Weights:  # noqa: N801 (torchvision's name)
        IMAGENET1K_V1 = "AlexNet_Weights.IMAGENET1K_V1"
        DEFAULT = IMAGENET1K_V1

    def alexnet(*args, **kwargs):
        model = build({"arch": "alex", "hidden": 12, "n_out": 1000, "seed": 99})
        model.eval()
        calls.append({"args": [repr(a) for a in args], "kwargs": {k: repr(v) for k, v in kwargs.items()},
                      "model": model, "old_head": model.classifier[6]})
        return model

    models.alexnet = alexnet
    models.AlexNet_Weights = AlexNet_Weights
    tv.models = models
    return tv, models


def probe_alexnet(module, weights, n_classes: int | None) -> dict:
    """load_alexnet with the stand-in torchvision in sys.modules (restored afterwards)."""
    import sys

    calls: list = []
    tv, models = fake_torchvision(calls)
    saved = {k: sys.modules.get(k) for k in ("torchvision", "torchvision.models")}
    sys.modules["torchvision"], sys.modules["torchvision.models"] = tv, models
    try:
        result = module.load_alexnet(weights) if n_classes is None else module.load_alexnet(weights, n_classes)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    out = {"calls": [{"args": c["args"], "kwargs": c["kwargs"]} for c in calls]}
    if not calls:
        return out
    built = calls[-1]["model"]
    out["returned_built"] = result is built
    reference = build({"arch": "alex", "hidden": 12, "n_out": 1000, "seed": 99})
    ref_state = snapshot(reference)
    head = built.get_submodule("classifier.6")
    out["head_type"] = type(head).__name__
    out["head_is_old"] = head is calls[-1]["old_head"]
    if isinstance(head, nn.Linear):
        out.update(in_features=head.in_features, out_features=head.out_features,
                   head_trainable=[p.requires_grad for p in head.parameters()])
    state = snapshot(built)
    out["others_changed"] = sorted(k for k, v in ref_state.items() if not k.startswith("classifier.6.")
                                   and (k not in state or not torch.equal(state[k], v)))
    out["others_trainable"] = sorted(n for n, p in built.named_parameters()
                                     if not n.startswith("classifier.6.") and p.requires_grad)
    return out


probe_alexnet.describes = "load_alexnet"


def probe_optimizer(module, spec: dict, lr: float, frozen: str) -> dict:
    """make_optimizer on a model whose backbone is frozen (frozen="backbone") or only whose conv layers are
    (frozen="convs": BatchNorm's weight and bias and the head train)."""
    model = build(spec)
    if frozen == "backbone":
        grader_freeze(model)
    else:
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                grader_freeze(m)
    grader_replace(model, HEAD_ATTR[spec["arch"]], 3, 0)
    names = {id(p): n for n, p in model.named_parameters()}
    optimizer = module.make_optimizer(model, lr)
    held = [names.get(id(p), "<not a parameter of the model>") for g in optimizer.param_groups for p in g["params"]]
    return {"type": type(optimizer).__name__, "lrs": [float(g.get("lr", float("nan"))) for g in optimizer.param_groups],
            "held": held, "trainable": [n for n, p in model.named_parameters() if p.requires_grad]}


probe_optimizer.describes = "make_optimizer"


def probe_accuracy(module, spec: dict, x, y, batch_size: int | None) -> dict:
    """accuracy on a model in train mode with Dropout: the value, the mode and grad mode of every forward pass,
    the batch sizes, and the accuracy the grader computes (eval mode, no_grad)."""
    model = build(spec)
    before = snapshot(model)
    seen = []

    def hook(mod, args):
        seen.append({"train": any(m.training for m in mod.modules() if isinstance(m, (nn.Dropout, nn.BatchNorm2d))),
                     "grad": torch.is_grad_enabled(), "n": int(args[0].shape[0])})

    handle = model.register_forward_pre_hook(hook)
    try:
        got = module.accuracy(model, x, y) if batch_size is None else module.accuracy(model, x, y, batch_size)
    finally:
        handle.remove()
    if isinstance(got, torch.Tensor):
        got = got.detach().clone()
    after = snapshot(model)
    changed = sorted(k for k in before if not torch.equal(before[k], after[k]))
    return {"got": got, "seen": seen, "expected": grader_accuracy(model.eval(), x, y), "changed": changed,
            "left_eval": not model.training}


probe_accuracy.describes = "accuracy"


# ============================================================================= probes: training
def _instrumented_train(module, model, head, x, y, xv, yv, kwargs: dict) -> dict:
    """train_head(model, ...) with the loop observed (everything restored afterwards)."""
    import torch.nn.functional as F
    from torch.optim.optimizer import register_optimizer_step_pre_hook
    from torch.utils import data as tud

    names = {id(p): n for n, p in model.named_parameters()}
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    rec = {"steps": 0, "steps_without_grad": 0, "backwards": 0, "uncleared": 0, "ce_calls": 0, "ce_probs": 0,
           "train_mode_forwards": 0, "forwards": 0, "held": None, "lr": [], "loaders": 0, "loader_iters": 0,
           "batch_sizes": [], "shuffle": [], "since_step": 0,
           "batch_losses": []}

    def grad_hook(grad):   # on the head's weight: runs before the new gradient is added to .grad
        rec["backwards"] += 1
        rec["since_step"] += 1
        old = head.weight.grad
        if old is not None and bool((old != 0).any()):
            rec["uncleared"] += 1
        return None

    def step_hook(optimizer, args, kw):
        rec["steps"] += 1
        g = head.weight.grad
        if rec["since_step"] == 0 or g is None or not bool((g != 0).any()):
            rec["steps_without_grad"] += 1
        rec["since_step"] = 0
        rec["lr"].append(float(optimizer.param_groups[0].get("lr", float("nan"))))
        if rec["held"] is None:
            rec["held"] = [names.get(id(p), "<other>") for grp in optimizer.param_groups for p in grp["params"]]

    def forward_hook(mod, args):
        rec["forwards"] += 1
        if any(m.training for m in mod.modules() if isinstance(m, (nn.BatchNorm2d, nn.Dropout))):
            rec["train_mode_forwards"] += 1

    original_ce, original_nll = F.cross_entropy, F.nll_loss

    def record_loss(out, target):
        if isinstance(out, torch.Tensor) and out.ndim == 0 and isinstance(target, torch.Tensor) and target.ndim:
            rec["batch_losses"].append([float(out.detach()), int(target.shape[0])])

    def cross_entropy(input, target, *args, **kw):
        rec["ce_calls"] += 1
        with torch.no_grad():
            s = input.detach()
            if s.ndim == 2 and s.numel() and torch.is_floating_point(s):
                ones = torch.ones(s.shape[0], dtype=s.dtype)
                if bool((s >= 0).all()) and bool((s <= 1).all()) and torch.allclose(s.sum(1), ones, atol=1e-4):
                    rec["ce_probs"] += 1
        out = original_ce(input, target, *args, **kw)
        record_loss(out, target)
        return out

    def nll_loss(input, target, *args, **kw):
        out = original_nll(input, target, *args, **kw)
        record_loss(out, target)
        return out

    loader_init, loader_iter = tud.DataLoader.__init__, tud.DataLoader.__iter__

    def init(self, *args, **kw):
        rec["loaders"] += 1
        loader_init(self, *args, **kw)
        rec["batch_sizes"].append(self.batch_size)
        rec["shuffle"].append(isinstance(self.sampler, tud.RandomSampler))

    def iterate(self):
        rec["loader_iters"] += 1
        return loader_iter(self)

    from torch.optim.optimizer import register_optimizer_step_post_hook

    rec["head_after_step"] = []

    def step_done(optimizer, args, kw):
        rec["head_after_step"].append({k: v.detach().clone() for k, v in head.state_dict().items()})

    handles = [head.weight.register_hook(grad_hook), register_optimizer_step_pre_hook(step_hook),
               register_optimizer_step_post_hook(step_done), model.register_forward_pre_hook(forward_hook)]
    F.cross_entropy, F.nll_loss = cross_entropy, nll_loss
    tud.DataLoader.__init__, tud.DataLoader.__iter__ = init, iterate
    try:
        history = module.train_head(model, x, y, xv, yv, **kwargs)
    finally:
        for h in handles:
            h.remove()
        F.cross_entropy, F.nll_loss = original_ce, original_nll
        tud.DataLoader.__init__, tud.DataLoader.__iter__ = loader_init, loader_iter
    del rec["since_step"]
    rec["held_frozen"] = [n for n in (rec["held"] or []) if n not in trainable]
    rec["history"] = plain_history(history)
    return rec


def plain_history(history):
    """The history as plain data (tensors to floats), or its repr when it is not a dict of lists."""
    if not isinstance(history, dict):
        return repr(history)[:300]
    out = {}
    for k, v in history.items():
        try:
            out[str(k)] = [float(t) for t in v]
        except Exception:
            out[str(k)] = repr(v)[:300]
    return out


def probe_train(module, spec: dict, n_classes: int, head_seed: int, x, y, xv, yv, kwargs: dict,
                repeat: bool = False) -> dict:
    """train_head on the grader's prepared model (backbone frozen, new head): the loop as observed, the state
    before and after, the grader's validation accuracy of the trained model; with ``repeat``, the history of a
    second run on a fresh copy with the same seed (the global RNG in another state)."""
    model, head = prepared(spec, n_classes, head_seed)
    before = snapshot(model)
    head_before = {k: v.clone() for k, v in head.state_dict().items()}
    mode_before = model.training
    torch.manual_seed(head_seed + 1)
    rec = _instrumented_train(module, model, head, x, y, xv, yv, kwargs)
    after = snapshot(model)
    attr = HEAD_ATTR[spec["arch"]] + "."
    rec["backbone_changed"] = sorted(k for k in before if not k.startswith(attr) and not torch.equal(before[k],
                                                                                                    after[k]))
    rec["buffers_changed"] = sorted(k for k in rec["backbone_changed"]
                                    if k.rsplit(".", 1)[-1] in ("running_mean", "running_var", "num_batches_tracked"))
    rec["unfrozen"] = sorted(n for n, p in model.named_parameters() if not n.startswith(attr) and p.requires_grad)
    rec["head_changed"] = any(not torch.equal(head_before[k], v) for k, v in head.state_dict().items())
    rec["head_in_model"] = model.get_submodule(HEAD_ATTR[spec["arch"]]) is head
    rec["mode_before"] = mode_before
    rec["val_accuracy"] = grader_accuracy(model, xv, yv)
    # the validation accuracy after each epoch, from the head's weights after that epoch's last step
    states, epochs = rec.pop("head_after_step"), int(kwargs.get("epochs", 0))
    rec["epoch_val_accuracy"] = None
    if epochs and states and len(states) % epochs == 0:
        final = {k: v.clone() for k, v in head.state_dict().items()}
        per_epoch = len(states) // epochs
        accs = []
        for e in range(epochs):
            head.load_state_dict(states[(e + 1) * per_epoch - 1])
            accs.append(grader_accuracy(model, xv, yv))
        head.load_state_dict(final)
        rec["epoch_val_accuracy"] = accs
    if repeat:
        model2, head2 = prepared(spec, n_classes, head_seed)
        torch.manual_seed(head_seed + 12345)
        rec["history2"] = plain_history(module.train_head(model2, x, y, xv, yv, **kwargs))
    return rec


probe_train.describes = "train_head"


def probe_plot(module, history: dict) -> dict:
    """plot_history into a fresh temporary folder: the file's bytes and the lines drawn (Figure.savefig wrapped)."""
    import os
    import shutil
    import tempfile

    from matplotlib.figure import Figure

    folder = tempfile.mkdtemp(prefix="transfer_plot_")
    original = Figure.savefig
    drawn = []

    def savefig(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        lines = []
        for ax in self.get_axes():
            for line in ax.get_lines():
                try:
                    lines.append(np.asarray(line.get_ydata(), dtype=np.float64).ravel().tolist())
                except Exception:
                    continue
        drawn.append(lines)
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


# ============================================================================= end to end
PRETRAIN = {"classes": (0, 1, 2, 3, 4), "epochs": 8, "lr": 0.01, "batch_size": 64, "seed": 0}
TRANSFER = {"classes": tuple(range(10)), "per_class": 5, "epochs": 30, "lr": 0.03, "batch_size": 10, "seed": 0}


def probe_pretrain(x, y) -> dict:
    """The grader's pretraining of a GraderNet on (x, y) (digits 0-4), in the worker's seeded, single-threaded
    torch; returns its state_dict. Grader code: no student function is called."""
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(PRETRAIN["seed"])
    model = GraderNet(len(PRETRAIN["classes"]))
    optimizer = torch.optim.Adam(model.parameters(), lr=PRETRAIN["lr"])
    model.train()
    loader = DataLoader(TensorDataset(x, y), batch_size=PRETRAIN["batch_size"], shuffle=True,
                        generator=torch.Generator().manual_seed(PRETRAIN["seed"]))
    for _ in range(PRETRAIN["epochs"]):
        for xb, yb in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            optimizer.step()
    return snapshot(model)


probe_pretrain.describes = "the grader's pretraining (not your code)"


def probe_transfer(module, state: dict | None, x, y, xv, yv, x_test, y_test) -> dict:
    """The student's freeze, replace_head(model, 10, "fc") and train_head on the pretrained GraderNet (state=None:
    a randomly initialised one); the grader's accuracy on the held-out test images, printed."""
    model = GraderNet(len(PRETRAIN["classes"]))
    if state is not None:
        model.load_state_dict(state)
    before = snapshot(model)
    old_head = model.fc
    module.freeze(model)
    still = sorted(n for n, p in model.named_parameters() if p.requires_grad)
    head = module.replace_head(model, len(TRANSFER["classes"]), "fc")
    if not (isinstance(head, nn.Linear) and model.fc is head):
        return {"freeze_left": still, "head_ok": False, "old_head_kept": model.fc is old_head}
    if head.out_features != len(TRANSFER["classes"]):
        return {"freeze_left": still, "head_ok": True, "head_size": [head.in_features, head.out_features]}
    train_forwards = [0]

    def hook(mod, args):
        if any(m.training for m in mod.modules() if isinstance(m, nn.BatchNorm2d)):
            train_forwards[0] += 1

    handle = model.register_forward_pre_hook(hook)
    kwargs = {k: TRANSFER[k] for k in ("epochs", "lr", "batch_size", "seed")}
    try:
        history = module.train_head(model, x, y, xv, yv, **kwargs)
    finally:
        handle.remove()
    after = snapshot(model)
    changed = sorted(k for k in before if not k.startswith("fc.") and not torch.equal(before[k], after[k]))
    acc = grader_accuracy(model, x_test, y_test)
    return {"accuracy": acc, "freeze_left": still, "backbone_changed": changed, "history": plain_history(history),
            "head_ok": True, "bn_train_forwards": train_forwards[0]}


probe_transfer.describes = "freeze, replace_head and train_head (the transfer)"


# ============================================================================= checks
def check_png(data, what: str):
    """The PNG written: opens, 64 to 4096 pixels a side, not one flat colour (checks.png_pixels)."""
    return png_pixels(data, what, HINTS['plot'], min_side=64, max_side=4096)


def _hint(key: str | None) -> str:
    return f"\nHint: {HINTS[key]}" if key else ""


def check_loop(rec: dict, what: str, epochs: int, batch_size: int, lr: float, n: int) -> None:
    """The training loop as observed: DataLoader, raw scores into the loss, zero_grad/backward/step in order, one
    step per mini-batch with the lr given, an optimiser holding only the trainable parameters."""
    batches = epochs * -(-n // batch_size)
    if rec["loaders"] == 0 or rec["loader_iters"] == 0:
        raise Mismatch(f"{what}\n  no torch.utils.data.DataLoader was built and iterated over" + _hint("use_dataloader"))
    if any(b != batch_size for b in rec["batch_sizes"]):
        raise Mismatch(f"{what}\n  the DataLoader was built with batch_size={rec['batch_sizes']}; batch_size="
                       f"{batch_size} was passed" + _hint("hyperparameters_ignored"))
    if not all(rec["shuffle"]):
        raise Mismatch(f"{what}\n  the DataLoader does not shuffle (pass shuffle=True and the seeded generator)")
    if rec["ce_probs"]:
        raise Mismatch(f"{what}\n  {rec['ce_probs']} of the {rec['ce_calls']} calls of the cross-entropy loss got "
                       "rows of probabilities (all in [0, 1], each summing to 1)" + _hint("softmax_before_ce"))
    if rec["steps"] == 0:
        raise Mismatch(f"{what}\n  optimizer.step() was never called" + _hint("not_trained"))
    if rec["steps_without_grad"]:
        raise Mismatch(f"{what}\n  {rec['steps_without_grad']} of the {rec['steps']} optimizer steps came when the "
                       "head had no gradient computed since the previous step (or since it was cleared)"
                       + _hint("step_before_backward"))
    if rec["uncleared"]:
        raise Mismatch(f"{what}\n  at {rec['uncleared']} of the {rec['backwards']} backward passes the head's .grad "
                       "still held the gradient of an earlier mini-batch" + _hint("no_zero_grad"))
    if rec["held_frozen"]:
        frozen = rec["held_frozen"]
        if frozen:
            raise Mismatch(f"{what}\n  the optimiser also holds {len(frozen)} frozen parameters ({', '.join(frozen[:4])}"
                           f"{', ...' if len(frozen) > 4 else ''})" + _hint("optimizer_all_params"))
    if rec["lr"] and not math.isclose(rec["lr"][0], lr, rel_tol=1e-6):
        raise Mismatch(f"{what}\n  the optimiser's learning rate at its first step is {rec['lr'][0]!r}; lr={lr} was "
                       "passed" + _hint("hyperparameters_ignored"))
    if rec["steps"] != batches:
        raise Mismatch(f"{what}\n  the optimiser took {rec['steps']} steps; {epochs} epochs of {batches // epochs} "
                       f"mini-batches of at most {batch_size} images make {batches}")


def check_frozen(rec: dict, what: str) -> None:
    """The backbone bit-for-bit as it was (parameters and BatchNorm buffers), still frozen; the head trained."""
    if rec["unfrozen"]:
        raise Mismatch(f"{what}\n  after train_head, frozen parameters require grad again: "
                       f"{', '.join(rec['unfrozen'][:4])}{', ...' if len(rec['unfrozen']) > 4 else ''}; train_head "
                       "must leave requires_grad as it is")
    if rec["backbone_changed"]:
        changed = rec["backbone_changed"]
        only_buffers = set(changed) == set(rec["buffers_changed"])
        hint = "backbone_train_mode" if only_buffers and rec["train_mode_forwards"] else None
        raise Mismatch(f"{what}\n  the frozen backbone changed during training: {', '.join(changed[:5])}"
                       f"{', ...' if len(changed) > 5 else ''}"
                       + (f"\n  ({rec['train_mode_forwards']} of the {rec['forwards']} forward passes ran with "
                          "BatchNorm/Dropout in train mode)" if rec["train_mode_forwards"] else "") + _hint(hint))
    if rec["train_mode_forwards"]:
        raise Mismatch(f"{what}\n  {rec['train_mode_forwards']} of the {rec['forwards']} forward passes ran with the "
                       "backbone's Dropout/BatchNorm in train mode; keep the model in eval mode while the head trains"
                       + _hint("backbone_train_mode"))
    if not rec["head_in_model"]:
        raise Mismatch(f"{what}\n  the model no longer ends in the head it was given; train_head trains that head, "
                       "it does not build a new one")
    if not rec["head_changed"]:
        raise Mismatch(f"{what}\n  the head's weights did not change" + (_hint("not_trained") if rec["steps"] == 0
                                                                          else ""))


def check_history(rec: dict, what: str, epochs: int, reveal: bool = True) -> None:
    """Two lists of ``epochs`` finite floats; the loss goes down; the last validation accuracy is the trained
    model's; the same seed gives the same history."""
    h = rec["history"]
    if not isinstance(h, dict) or set(h) != {"loss", "val_accuracy"}:
        raise Mismatch(f"{what}\n  expected a dict with the keys 'loss' and 'val_accuracy'\n  got: {h!r}"[:1500])
    for key in ("loss", "val_accuracy"):
        values = h[key]
        if not isinstance(values, list) or len(values) != epochs:
            raise Mismatch(f"{what}\n  history[{key!r}] should be a list of {epochs} floats (one per epoch)\n  got: "
                           f"{values!r}"[:1500])
        if not all(math.isfinite(v) for v in values):
            raise Mismatch(f"{what}\n  history[{key!r}] has values that are not finite: {values}"[:1500])
    loss, acc = h["loss"], h["val_accuracy"]
    if not all(0.0 <= a <= 1.0 for a in acc):
        raise Mismatch(f"{what}\n  history['val_accuracy'] has values outside [0, 1]: {acc}"[:1500])
    check_epoch_losses(rec, what, epochs)
    if not loss[-1] < loss[0]:
        raise Mismatch(f"{what}\n  the training loss did not go down: first epoch {loss[0]:.4g}, last {loss[-1]:.4g}")
    epoch_acc = rec.get("epoch_val_accuracy")
    if epoch_acc is not None:
        off = [e for e, (a, b) in enumerate(zip(acc, epoch_acc)) if exceeds(abs(a - b), 1e-6)]
        if off:
            e = off[0]
            shown = f"  expected: {epoch_acc[e]!r}\n" if reveal else ""
            raise Mismatch(f"{what}\n  history['val_accuracy'][{e}] is not the accuracy on (x_val, y_val) of the model "
                           f"as it was at the end of epoch {e + 1} ({len(off)} of the {epochs} entries differ)\n{shown}"
                           f"  got:      {acc[e]!r}")
    if exceeds(abs(acc[-1] - rec["val_accuracy"]), 1e-6):
        shown = f"  expected: {rec['val_accuracy']!r} (the trained model on x_val, y_val)\n" if reveal else ""
        raise Mismatch(f"{what}\n  the last validation accuracy is not the accuracy of the trained model on "
                       f"(x_val, y_val)\n{shown}  got:      {acc[-1]!r}")
    if "history2" in rec and rec["history2"] != h:
        hint = None if rec["train_mode_forwards"] else "seed_ignored"
        note = (f"\n  ({rec['train_mode_forwards']} of the {rec['forwards']} forward passes of the first call ran with "
                "Dropout/BatchNorm in train mode: random Dropout masks differ from run to run)"
                if rec["train_mode_forwards"] else "")
        raise Mismatch(f"{what}\n  a second call with the same seed (on a fresh copy of the same model) gave another "
                       f"history\n  first:  loss {h['loss'][:3]} ...\n  second: "
                       f"{str(rec['history2'])[:200]}" + note + _hint(hint))


def check_epoch_losses(rec: dict, what: str, epochs: int) -> None:
    """history["loss"][e] against the mean per image of epoch e's mini-batch losses as the probe recorded them
    (each weighted by its batch size); only when one loss per mini-batch was recorded (nn.CrossEntropyLoss,
    F.cross_entropy or F.nll_loss on the batches, nothing else)."""
    from autograder.checks import assert_close

    recorded = rec.get("batch_losses") or []
    steps = rec.get("steps", 0)
    if not steps or len(recorded) != steps or steps % epochs:
        return
    per_epoch = steps // epochs
    weighted, unweighted = [], []
    for e in range(epochs):
        chunk = recorded[e * per_epoch:(e + 1) * per_epoch]
        weighted.append(sum(v * n for v, n in chunk) / sum(n for _, n in chunk))
        unweighted.append(sum(v for v, _ in chunk) / len(chunk))
    got = torch.tensor(rec["history"]["loss"], dtype=torch.float64)
    expected = torch.tensor(weighted, dtype=torch.float64)
    close = bool(torch.allclose(got, expected, rtol=1e-4, atol=1e-7))
    hint = None
    if not close and bool(torch.allclose(got, torch.tensor(unweighted, dtype=torch.float64), rtol=1e-4, atol=1e-7)):
        hint = "loss_unweighted"
    assert_close(got, expected, f"{what}\n  history['loss'], compared with the mean per training image of each epoch's "
                 "mini-batch losses (each weighted by its number of images), computed from the losses your code "
                 "computed:", rtol=1e-4, atol=1e-7, hint=hint, hints=HINTS)
