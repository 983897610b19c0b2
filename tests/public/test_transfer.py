"""Public grading tests for exercises/transfer.py.

The grader builds small CNNs with BatchNorm (running statistics set far from their defaults) and Dropout,
in the exercise's SmallCNN layout and in AlexNet's layout (last layer at classifier[6]); your functions
receive them inside the worker, where the probes watch the training: a gradient hook on the head, an
optimiser step hook, forward hooks (train/eval mode, grad mode), a wrapped F.cross_entropy and DataLoader.
load_alexnet is called with a stand-in torchvision module (nothing is downloaded). The end-to-end test
pretrains SmallCNN on the digits 0-4 with the grader's own code, then runs your freeze, replace_head and
train_head on 5 images of each of the ten digits.

Promises of the task text -> the tests that exercise them (with a non-default value or starting state):

- freeze: every parameter frozen however nested; values, buffers, modules and mode unchanged; returns module
    -> test_freeze_sets_requires_grad_false_and_changes_nothing_else (model in train mode)
- freeze: only the module given (a submodule: the rest stays trainable)
    -> test_freeze_sets_requires_grad_false_and_changes_nothing_else (freeze(model.features))
- replace_head: a new trainable nn.Linear(in_features, n_classes) with bias at attr, returned, the forward pass
  ends in it, nothing else changes (frozen stays frozen)
    -> test_replace_head_puts_a_new_trainable_linear_in_place (n_classes 1-12, frozen or not)
- replace_head: a dotted attr ("classifier.6", item 6 of an nn.Sequential)
    -> test_replace_head_puts_a_new_trainable_linear_in_place (AlexNet-shaped models);
       test_load_alexnet_with_a_stand_in_torchvision
- load_alexnet: weights passed on as given; all frozen but a new trainable classifier[6] with n_classes outputs;
  the default n_classes=2
    -> test_load_alexnet_with_a_stand_in_torchvision (weights=None, n_classes=7; and the defaults)
- make_optimizer: Adam with lr over exactly the trainable parameters, each once
    -> test_make_optimizer_holds_exactly_the_trainable_parameters (lr=0.003; BatchNorm affine trainable too)
- accuracy: eval mode (model given in train mode), no_grad, mini-batches of batch_size, a Python float, model
  left in eval mode
    -> test_accuracy_runs_in_eval_mode_without_gradients (batch_size=7; and the default)
- train_head: DataLoader (batch_size, shuffle), CrossEntropyLoss on raw scores, zero_grad/backward/step per
  mini-batch, make_optimizer, epochs, lr, batch_size as given
    -> test_train_head_loop_calls_zero_grad_backward_step_in_order (epochs=3, lr=0.02, batch_size=8);
       hidden: test_train_head_on_an_alexnet_shaped_model
- train_head: eval mode throughout (BatchNorm statistics kept), frozen parameters bit-for-bit unchanged,
  head trained (model given in train mode)
    -> test_train_head_leaves_the_frozen_backbone_bit_for_bit_alone; hidden: test_train_head_on_an_alexnet_shaped_model
- train_head: history of epochs floats each, loss per image (batch sizes weighted), val accuracy after each epoch,
  seed -> same history
    -> test_train_head_history_and_seed (seed=5, 18 images in batches of 5: the last one smaller; a second run with
       the global RNG elsewhere); hidden: test_train_head_on_an_alexnet_shaped_model
- plot_history: PNG with both curves
    -> test_plot_history_writes_a_png_with_both_curves (a history of 7 epochs)
- the transfer as a whole reaches the accuracy threshold
    -> test_transfer_from_pretrained_digits_reaches_the_threshold
"""
from __future__ import annotations

import math

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder import seam
from autograder.checks import Mismatch

from .transfer_support import (EXERCISE, HINTS, PRETRAIN, TRANSFER, check_frozen, check_history, check_loop,
                               check_png, describe, digits_subset, probe_accuracy, probe_alexnet, probe_freeze,
                               probe_optimizer, probe_plot, probe_pretrain, probe_replace, probe_train,
                               probe_transfer, warm_up_optimizers)

pytestmark = pytest.mark.exercise(EXERCISE)


def _hint(key):
    return f"\nHint: {HINTS[key]}"


# ============================================================================= the parts
FREEZE_CASES = [
    ({"arch": "small", "n_out": 5, "seed": 1}, "model"),
    ({"arch": "alex", "n_out": 10, "seed": 2}, "model"),
    ({"arch": "small", "n_out": 3, "seed": 3, "channels": 4}, "features"),
]


@weight(1)
def test_freeze_sets_requires_grad_false_and_changes_nothing_else(submission):
    """freeze(module): every parameter of module (nested ones too) frozen, and only those; values, BatchNorm
    buffers, modules and train mode as they were; module returned."""
    for spec, target in FREEZE_CASES:
        _test_freeze_sets_requires_grad_false_and_changes_nothing_else(submission, spec, target)


def _test_freeze_sets_requires_grad_false_and_changes_nothing_else(submission, spec, target):
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_freeze, sub._handle(), spec, target)
    what = f"freeze({'model' if target == 'model' else 'model.' + target}) for {describe(spec)} in train mode"
    if out["still_trainable"]:
        left = out["still_trainable"]
        raise Mismatch(f"{what}\n  {len(left)} parameters still have requires_grad=True: {', '.join(left[:4])}"
                       f"{', ...' if len(left) > 4 else ''}" + _hint("freeze_no_effect"))
    if out["frozen_outside"]:
        raise Mismatch(f"{what}\n  parameters outside the module given were frozen too: "
                       f"{', '.join(out['frozen_outside'][:4])}")
    if out["values_changed"]:
        raise Mismatch(f"{what}\n  values changed (freeze changes requires_grad only): "
                       f"{', '.join(out['values_changed'][:5])}")
    if out["modes_changed"] or out["modules_changed"]:
        raise Mismatch(f"{what}\n  the " + ("train/eval mode" if out["modes_changed"] else "list of modules")
                       + " changed; freeze changes requires_grad only")
    if not out["returned_self"]:
        raise Mismatch(f"{what}\n  freeze must return the module it was given")


@st.composite
def replace_cases(draw):
    arch = draw(st.sampled_from(["small", "alex"]), label="arch")
    spec = {"arch": arch, "n_out": draw(st.integers(2, 10), label="old outputs"),
            "seed": draw(st.integers(0, 2**16), label="seed")}
    if arch == "small":
        spec["channels"] = draw(st.sampled_from([4, 8]), label="channels")
    else:
        spec["hidden"] = draw(st.integers(3, 16), label="hidden")
    return spec, draw(st.integers(1, 12), label="n_classes"), draw(st.booleans(), label="frozen first")


@weight(1)
@settings(max_examples=6)
@given(case=replace_cases())
@example(case=({"arch": "alex", "n_out": 1000, "seed": 4, "hidden": 12}, 2, True))
@example(case=({"arch": "small", "n_out": 5, "seed": 5, "channels": 8}, 7, True))
def test_replace_head_puts_a_new_trainable_linear_in_place(submission, case):
    """replace_head(model, n_classes, attr): model.<attr> is now the new, trainable nn.Linear(in_features,
    n_classes) with a bias, the one returned; the model's output has n_classes columns; nothing else changed."""
    spec, n_classes, frozen = case
    attr = "fc" if spec["arch"] == "small" else "classifier.6"
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_replace, sub._handle(), spec, n_classes, frozen, 3)
    what = (f"replace_head(model, {n_classes}, {attr!r}) for {describe(spec)}"
            + (", every parameter frozen first" if frozen else ""))
    if out["still_old"]:
        raise Mismatch(f"{what}\n  model.{attr} is still the old layer ({out['old_in']} -> {out['old_out']})"
                       + _hint("head_not_attached"))
    if out["at_attr_type"] != "Linear":
        raise Mismatch(f"{what}\n  model.{attr} is a {out['at_attr_type']}; expected an nn.Linear")
    if (out["in_features"], out["out_features"]) != (out["old_in"], n_classes):
        hint = ("head_old_classes" if out["out_features"] == out["old_out"] != n_classes
                and out["in_features"] == out["old_in"] else None)
        raise Mismatch(f"{what}\n  model.{attr} is an nn.Linear({out['in_features']}, {out['out_features']}); "
                       f"expected nn.Linear({out['old_in']}, {n_classes}) (the old layer's in_features, one output "
                       "per class)" + (_hint(hint) if hint else ""))
    if not out["bias"]:
        raise Mismatch(f"{what}\n  the new layer has no bias")
    if not all(out["trainable"]):
        raise Mismatch(f"{what}\n  the new layer's parameters have requires_grad=False" + _hint("head_frozen"))
    if not out["at_attr_is_returned"]:
        raise Mismatch(f"{what}\n  the layer returned ({out['returned_type']}) is not the one now at model.{attr}")
    if out["others_changed"] or out["flags_changed"]:
        raise Mismatch(f"{what}\n  other parameters changed (values or requires_grad): "
                       f"{', '.join((out['others_changed'] + out['flags_changed'])[:5])}")
    if out["output_shape"] != [3, n_classes]:
        raise Mismatch(f"{what}\n  the model's output for 3 images has shape {tuple(out['output_shape'])}; expected "
                       f"(3, {n_classes})")


ALEXNET_CASES = [("DEFAULT", None), (None, 7)]


@weight(1)
def test_load_alexnet_with_a_stand_in_torchvision(submission):
    """load_alexnet(weights, n_classes): torchvision.models.alexnet(weights=weights) (a stand-in that records its
    arguments), everything frozen but a new trainable classifier[6] with n_classes outputs (default 2)."""
    for weights, n_classes in ALEXNET_CASES:
        _test_load_alexnet_with_a_stand_in_torchvision(submission, weights, n_classes)


def _test_load_alexnet_with_a_stand_in_torchvision(submission, weights, n_classes):
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_alexnet, sub._handle(), weights, n_classes)
    expected_n = 2 if n_classes is None else n_classes
    what = ("load_alexnet()" if n_classes is None else f"load_alexnet({weights!r}, {n_classes})") + \
        " with a stand-in torchvision whose alexnet() returns an AlexNet-shaped model (classifier[6]: 12 -> 1000)"
    if not out["calls"]:
        raise Mismatch(f"{what}\n  torchvision.models.alexnet was not called")
    call = out["calls"][-1]
    passed = call["kwargs"].get("weights", call["args"][0] if call["args"] else "<not passed>")
    accepted = {repr(weights)} | ({repr("AlexNet_Weights.IMAGENET1K_V1")} if weights == "DEFAULT" else set())
    if passed not in accepted:
        raise Mismatch(f"{what}\n  alexnet was called with weights={passed} (args {call['args']}, kwargs "
                       f"{call['kwargs']}); pass weights={weights!r} on as given")
    if not out["returned_built"]:
        raise Mismatch(f"{what}\n  the model returned is not the one torchvision.models.alexnet built")
    if out["head_is_old"]:
        raise Mismatch(f"{what}\n  classifier[6] is still the old 12 -> 1000 layer" + _hint("head_not_attached"))
    if out["head_type"] != "Linear":
        raise Mismatch(f"{what}\n  classifier[6] is a {out['head_type']}; expected an nn.Linear")
    if (out["in_features"], out["out_features"]) != (12, expected_n):
        hint = "head_old_classes" if (out["in_features"], out["out_features"]) == (12, 1000) else None
        raise Mismatch(f"{what}\n  classifier[6] is nn.Linear({out['in_features']}, {out['out_features']}); expected "
                       f"nn.Linear(12, {expected_n})" + (_hint(hint) if hint else ""))
    if not all(out["head_trainable"]):
        raise Mismatch(f"{what}\n  the new classifier[6] has requires_grad=False" + _hint("head_frozen"))
    if out["others_trainable"]:
        left = out["others_trainable"]
        raise Mismatch(f"{what}\n  these pretrained parameters still train: {', '.join(left[:4])}"
                       f"{', ...' if len(left) > 4 else ''}; everything but the new classifier[6] must be frozen")
    if out["others_changed"]:
        raise Mismatch(f"{what}\n  pretrained weights changed: {', '.join(out['others_changed'][:4])}")


OPTIMIZER_CASES = [
    ({"arch": "small", "n_out": 5, "seed": 6}, "backbone", 0.003),
    ({"arch": "small", "n_out": 5, "seed": 7, "channels": 4}, "convs", 0.05),
    ({"arch": "alex", "n_out": 20, "seed": 8}, "backbone", 0.01),
]


@weight(1)
def test_make_optimizer_holds_exactly_the_trainable_parameters(submission):
    """make_optimizer(model, lr): an Adam with lr whose parameter groups hold each trainable parameter once and
    no frozen one (with only the convolutions frozen, BatchNorm's weight and bias train too)."""
    for spec, frozen, lr in OPTIMIZER_CASES:
        _test_make_optimizer_holds_exactly_the_trainable_parameters(submission, spec, frozen, lr)


def _test_make_optimizer_holds_exactly_the_trainable_parameters(submission, spec, frozen, lr):
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_optimizer, sub._handle(), spec, lr, frozen)
    what = (f"make_optimizer(model, lr={lr}) for {describe(spec)}, "
            + ("backbone frozen" if frozen == "backbone" else "only its Conv2d layers frozen") + ", new head")
    if out["type"] != "Adam":
        raise Mismatch(f"{what}\n  the optimiser is a {out['type']}; the task asks for torch.optim.Adam")
    if not all(math.isclose(v, lr, rel_tol=1e-9) for v in out["lrs"]):
        raise Mismatch(f"{what}\n  the learning rates of its parameter groups are {out['lrs']}; lr={lr} was passed")
    held, trainable = out["held"], out["trainable"]
    frozen_held = [n for n in held if n not in trainable]
    if frozen_held:
        raise Mismatch(f"{what}\n  the optimiser holds {len(frozen_held)} frozen parameters "
                       f"({', '.join(frozen_held[:4])}{', ...' if len(frozen_held) > 4 else ''})"
                       + _hint("optimizer_all_params"))
    missing = [n for n in trainable if n not in held]
    if missing:
        raise Mismatch(f"{what}\n  trainable parameters missing from the optimiser: {', '.join(missing)}")
    if len(held) != len(set(held)):
        raise Mismatch(f"{what}\n  some parameters are in the optimiser twice: {held}")


ACCURACY_CASES = [
    ({"arch": "small", "n_out": 4, "seed": 9, "p_drop": 0.5}, 8, 7),
    ({"arch": "alex", "n_out": 4, "seed": 10}, 6, None),
]


@weight(1)
def test_accuracy_runs_in_eval_mode_without_gradients(submission):
    """accuracy(model, x, y, batch_size) on a model handed over in train mode (with Dropout): every forward pass
    in eval mode under no_grad, on mini-batches of at most batch_size; the value is the eval-mode accuracy, a
    Python float; the model is left in eval mode with its BatchNorm statistics unchanged."""
    for spec, n_per, batch_size in ACCURACY_CASES:
        _test_accuracy_runs_in_eval_mode_without_gradients(submission, spec, n_per, batch_size)


def _test_accuracy_runs_in_eval_mode_without_gradients(submission, spec, n_per, batch_size):
    x, y = digits_subset((0, 1, 2, 3), n_per, "test")
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_accuracy, sub._handle(), spec, x, y, batch_size)
    what = (f"accuracy(model, x, y{'' if batch_size is None else f', batch_size={batch_size}'}) for {describe(spec)}, "
            f"handed over in train mode, on {len(y)} digits")
    seen = out["seen"]
    if not seen:
        raise Mismatch(f"{what}\n  the model was never called")
    if any(s["train"] for s in seen):
        raise Mismatch(f"{what}\n  {sum(s['train'] for s in seen)} of the {len(seen)} forward passes ran in train "
                       "mode" + _hint("eval_mode_missing"))
    if any(s["grad"] for s in seen):
        raise Mismatch(f"{what}\n  {sum(s['grad'] for s in seen)} of the {len(seen)} forward passes ran with "
                       "gradients enabled" + _hint("no_grad_missing"))
    limit = 256 if batch_size is None else batch_size
    if sum(s["n"] for s in seen) != len(y) or any(s["n"] > limit for s in seen):
        raise Mismatch(f"{what}\n  the model saw mini-batches of {[s['n'] for s in seen]} images; expected each of the "
                       f"{len(y)} images once, in mini-batches of at most {limit}")
    if out["changed"]:
        raise Mismatch(f"{what}\n  the model changed: {', '.join(out['changed'][:4])}")
    if not out["left_eval"]:
        raise Mismatch(f"{what}\n  the model is not left in eval mode")
    got = out["got"]
    if isinstance(got, bool) or not isinstance(got, float):
        raise Mismatch(f"{what}\n  expected a Python float in [0, 1]\n  got: {got!r}"[:1500])
    if exceeds_accuracy(got, out["expected"], len(y)):
        raise Mismatch(f"{what}\n  expected: {out['expected']!r} (the fraction of correct argmax predictions)\n"
                       f"  got:      {got!r}")


def exceeds_accuracy(got: float, expected: float, n: int) -> bool:
    from autograder.checks import exceeds

    return bool(exceeds(abs(got - expected), 0.5 / n))


# ============================================================================= train_head
LOOP = {"epochs": 3, "lr": 0.02, "batch_size": 8, "seed": 3}


def _train(sub, spec, n_classes, kwargs, per_class=6, repeat=False):
    classes = tuple(range(n_classes))
    x, y = digits_subset(classes, per_class, "train")
    xv, yv = digits_subset(classes, 5, "test")
    sub.run_probe(warm_up_optimizers)
    rec = sub.run_probe(probe_train, sub._handle(), spec, n_classes, 11, x, y, xv, yv, kwargs, repeat)
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    what = (f"train_head(model, x, y, x_val, y_val, {args}) for {describe(spec)}, handed over in train mode with "
            f"its backbone frozen and a new {n_classes}-class head, on {len(y)} training and {len(yv)} validation "
            "digits")
    return rec, what, len(y)


@weight(1)
def test_train_head_loop_calls_zero_grad_backward_step_in_order(submission):
    """train_head: a shuffling DataLoader with the batch_size given, raw scores into the cross-entropy, per
    mini-batch zero_grad, backward, step (each step has a fresh gradient, no gradient piles up), an optimiser with
    the lr given holding only the head, one step per mini-batch for the epochs given."""
    spec = {"arch": "small", "n_out": 5, "seed": 12}
    rec, what, n = _train(submission(EXERCISE), spec, 4, LOOP)
    check_loop(rec, what, LOOP["epochs"], LOOP["batch_size"], LOOP["lr"], n)


@weight(1)
def test_train_head_leaves_the_frozen_backbone_bit_for_bit_alone(submission):
    """train_head: the backbone's parameters and BatchNorm statistics bit-for-bit as they were, still frozen, no
    forward pass in train mode; the head trained."""
    spec = {"arch": "small", "n_out": 5, "seed": 13}
    rec, what, _ = _train(submission(EXERCISE), spec, 3, {"epochs": 2, "lr": 0.01, "batch_size": 6, "seed": 1})
    check_frozen(rec, what)


@weight(1)
def test_train_head_history_and_seed(submission):
    """train_head's history: 'loss' and 'val_accuracy', one float per epoch each; the loss goes down; the last
    validation accuracy is the trained model's; the same seed gives the same history in a second run."""
    spec = {"arch": "small", "n_out": 5, "seed": 14}
    kwargs = {"epochs": 6, "lr": 0.02, "batch_size": 5, "seed": 5}
    rec, what, _ = _train(submission(EXERCISE), spec, 3, kwargs, repeat=True)
    check_history(rec, what, kwargs["epochs"])


@weight(1)
def test_plot_history_writes_a_png_with_both_curves(submission):
    """plot_history writes a PNG that opens, of a sensible size, not flat, with the loss and the validation
    accuracy each drawn as a line."""
    history = {"loss": [1.6, 1.1, 0.8, 0.62, 0.5, 0.45, 0.41], "val_accuracy": [0.3, 0.52, 0.61, 0.7, 0.72, 0.75, 0.74]}
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_plot, sub._handle(), history)
    what = "plot_history(history, path) for a history of 7 epochs"
    check_png(out["data"], what)
    lines = out["lines"]
    if lines is None:
        raise Mismatch(f"{what}\n  the PNG was not written with a matplotlib Figure's savefig (fig.savefig or "
                       "plt.savefig), so what it draws cannot be checked" + _hint("plot"))
    for key in ("loss", "val_accuracy"):
        if not any(len(line) == len(history[key]) and all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
                                                          for a, b in zip(line, history[key])) for line in lines):
            raise Mismatch(f"{what}\n  no line of the figure has the values of history[{key!r}]" + _hint("plot"))


# ============================================================================= end to end
THRESHOLD = 0.75


def transfer_data():
    x_old, y_old = digits_subset(PRETRAIN["classes"], None, "train")
    x, y = digits_subset(TRANSFER["classes"], TRANSFER["per_class"], "train")
    xv, yv = digits_subset(TRANSFER["classes"], 5, "train", offset=TRANSFER["per_class"])
    x_test, y_test = digits_subset(TRANSFER["classes"], None, "test")
    return x_old, y_old, x, y, xv, yv, x_test, y_test


@weight(2)
def test_transfer_from_pretrained_digits_reaches_the_threshold(submission):
    """End to end: the grader pretrains SmallCNN on the digits 0-4 (8 epochs of Adam on their 672 training images);
    your freeze, replace_head(model, 10, "fc") and train_head (30 epochs, lr 0.03, batches of 10, seed 0) on 5
    training images of each of the ten digits; the accuracy on the 449 held-out test images (all ten digits) must
    be at least 0.75, and the backbone must come out bit-for-bit unchanged.

    Measured (the grader's worker, one thread): the reference reaches 0.8263 here (0.84-0.86 over other head
    initialisations); the same head trained on a randomly initialised, frozen backbone reaches 0.58-0.66 (8 head
    and backbone initialisations); an untrained head, chance (about 0.1)."""
    x_old, y_old, x, y, xv, yv, x_test, y_test = transfer_data()
    sub = submission(EXERCISE)
    state = sub.run_probe(probe_pretrain, x_old, y_old)
    sub.run_probe(warm_up_optimizers)
    with seam.call_limit(30, "your transfer (freeze, replace_head, train_head)"):
        out = sub.run_probe(probe_transfer, sub._handle(), state, x, y, xv, yv, x_test, y_test)
    if isinstance(out.get("accuracy"), float):
        seam.note(f"transfer to all ten digits from {len(y)} examples: accuracy {out['accuracy']:.4f} on the "
                  f"{len(y_test)} held-out test images")
    what = ("the transfer: freeze(model), replace_head(model, 10, 'fc'), train_head(model, x, y, x_val, y_val, "
            "epochs=30, lr=0.03, batch_size=10, seed=0) on a SmallCNN pretrained by the grader on the digits 0-4, "
            f"with {len(y)} training images (5 of each digit)")
    if out["freeze_left"]:
        raise Mismatch(f"{what}\n  after freeze(model), {len(out['freeze_left'])} parameters still have "
                       "requires_grad=True" + _hint("freeze_no_effect"))
    if not out["head_ok"]:
        raise Mismatch(f"{what}\n  after replace_head, model.fc is not the new nn.Linear returned"
                       + (" (it is still the pretrained 5-class layer)" + _hint("head_not_attached")
                          if out["old_head_kept"] else ""))
    if "head_size" in out:
        size = out["head_size"]
        raise Mismatch(f"{what}\n  replace_head(model, 10, 'fc') put an nn.Linear({size[0]}, {size[1]}) in place of the "
                       "pretrained nn.Linear(32, 5)" + (_hint("head_old_classes") if size[1] == 5 else ""))
    if out["backbone_changed"]:
        train_mode = out["bn_train_forwards"]
        only_buffers = all(k.rsplit(".", 1)[-1] in ("running_mean", "running_var", "num_batches_tracked")
                           for k in out["backbone_changed"])
        raise Mismatch(f"{what}\n  the pretrained backbone changed: {', '.join(out['backbone_changed'][:4])}"
                       f"{', ...' if len(out['backbone_changed']) > 4 else ''}"
                       + (f"\n  ({train_mode} forward passes ran with BatchNorm in train mode)" if train_mode else "")
                       + (_hint("backbone_train_mode") if train_mode and only_buffers else ""))
    if not out["accuracy"] >= THRESHOLD:
        raise Mismatch(f"{what}\n  accuracy on the {len(y_test)} held-out test images: {out['accuracy']:.4f}; at "
                       f"least {THRESHOLD} is needed (a randomly initialised backbone reaches about 0.6)")
