"""Public grading tests for exercises/vit.py.

patchify is compared exactly with F.unfold; PatchEmbedding, PreLNLayer and ViT are checked by behaviour
(see vit_support.py): the affine map read off your module, a layer with its weights zeroed, one token
perturbed, your own submodules recomposed, hooks on the last layer. Parameter counts are compared with
torch's own modules (nn.Linear, nn.TransformerEncoderLayer(norm_first=True), nn.LayerNorm) and a hashed
key. evaluate and train_vit run on a small model the grader builds and instruments; one small ViT is
trained end to end on the 8x8 digits.

Promises of the task text -> the tests that exercise them (with a non-default value or starting state):

- patchify: row-major patches, channels first inside a patch; B, C > 1; H != W; p from 1 to 4
    -> test_patchify_matches_unfold
- PatchEmbedding: one affine map shared by all patches, token n <- patch n, C*p*p*dim + dim parameters
    -> test_patch_embedding_is_one_affine_map_per_patch
- PreLNLayer: shape kept, pre-LN (residual stream not normalised), parameter count (biases on the four
  projections); each sublayer's output added to the residual stream (weights zeroed, one bias at a time:
  the attention's output bias and the MLP's last bias move the output by +bias)
    -> test_preln_layer_is_pre_ln
- PreLNLayer: each image attended separately, every token attends to the others (B > 1)
    -> test_preln_layer_attends_within_each_image
- PreLNLayer: dropout = p active in train mode, off in eval mode; dropout=0 changes nothing in train mode
    -> test_preln_layer_dropout_only_in_train_mode
- ViT: output (B, n_classes), parameter count, cls_token (1, 1, dim), pos_embedding (1, N + 1, dim); the seed
  configuration (defaults) and others
    -> test_vit_output_shape_and_parameter_count; hidden: test_vit_parameter_counts_on_more_configurations
- ViT.forward: cat(cls, patch tokens) + pos_embedding, the layers in order, norm, head on token 0
    -> test_vit_forward_is_the_composition_of_its_parts
- ViT.forward: the logits depend on the class token's final state only
    -> test_vit_logits_depend_on_the_class_token_only
- vit_param_count, answer_seed_param_count
    -> test_vit_param_count_formula_and_seed_answer; hidden: test_vit_parameter_counts_on_more_configurations
- evaluate: eval mode (model handed over in train mode), no_grad, batch_size=50 (last batch smaller), loss
  weighted by batch size, accuracy a fraction, model left in eval mode
    -> test_evaluate_runs_in_eval_mode_without_gradients
- train_vit: DataLoader with batch_size, shuffle and the seeded generator; Adam with lr; zero_grad ->
  backward -> step per batch; raw logits into nn.CrossEntropyLoss; epochs=3, batch_size=48, lr=0.01, seed=5
    -> test_train_vit_runs_the_training_loop_the_task_asks
- train_vit: train mode every epoch (model handed over in eval mode), evaluation in eval mode without
  gradients, the history (three lists of epochs floats, the last validation entries = the final model)
    -> test_train_vit_switches_modes_and_returns_its_history
- train_vit end to end: a ViT on the 8x8 digits reaches the threshold
    -> test_train_vit_end_to_end_on_digits; hidden: test_train_vit_end_to_end_on_another_split
- plot_history: a PNG with the two loss curves
    -> test_plot_history_writes_a_png_with_both_losses
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder import seam
from autograder.checks import Mismatch, assert_close, check_keyed_answer, exceeds, load_keys

from .vit_support import (E2E_CONFIG, EXERCISE, HINTS, SEED_CONFIG, _as64, _close, check_count, check_end_to_end,
                          check_logits, check_patches, check_png, describe_config, digits_data, digits_subset, n_params,
                          patch_cases, probe_end_to_end, probe_evaluate, probe_layer, probe_layer_dropout,
                          probe_patch_embedding, probe_plot, probe_train, probe_vit_class_token, probe_vit_counts,
                          probe_vit_forward, torch_count, torch_layer_count, unfold_patches, warm_up_optimizers)

pytestmark = pytest.mark.exercise(EXERCISE)

KEYS = load_keys(EXERCISE, Path(__file__).resolve().parents[2])
E2E_THRESHOLD = 0.85


# ============================================================================= patches
@weight(1)
@settings(max_examples=12)
@given(case=patch_cases())
@example(case=(torch.arange(2 * 4 * 6, dtype=torch.float32).reshape(1, 2, 4, 6), 2))
@example(case=(torch.arange(3 * 2 * 2, dtype=torch.float32).reshape(1, 3, 2, 2) * 0.5, 1))
def test_patchify_matches_unfold(submission, case):
    """patchify: row n is patch n (row-major), flattened channels first, then rows, then columns."""
    images, p = case
    got = submission(EXERCISE).patchify(images, p)
    check_patches(got, images, p, f"patchify(images of shape {tuple(images.shape)}, patch_size={p})")


# ============================================================================= PatchEmbedding
@weight(1)
def test_patch_embedding_is_one_affine_map_per_patch(submission):
    """PatchEmbedding: tokens (B, N, dim); token n = A @ patch n + b with one A, b for all patches; C*p*p*dim + dim
    parameters (patch sizes 2, 3, 4; 1 to 3 channels)."""
    for p, C, dim, B, side in [(2, 1, 8, 2, 8), (3, 2, 5, 1, 9), (4, 3, 6, 3, 8)]:
        _patch_embedding_case(submission, p, C, dim, B, side)


def _patch_embedding_case(submission, p, C, dim, B, side):
    images = torch.randn(B, C, side, side, generator=torch.Generator().manual_seed(p * 10 + C))
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_patch_embedding, sub._handle(), p, C, dim, images, 7)
    what = f"PatchEmbedding(patch_size={p}, in_channels={C}, dim={dim}) on images of shape {tuple(images.shape)}"
    with torch.device("meta"):
        expected_count = n_params(torch.nn.Linear(C * p * p, dim))
    if out["count"] != expected_count:
        raise Mismatch(f"{what}\n  it has {out['count']} parameters; one affine map from a flattened patch "
                       f"(C*p*p = {C * p * p} values) to dim = {dim} values has {expected_count}")
    got = _as64(out["out"])
    n = (side // p) ** 2
    if got is None or tuple(got.shape) != (B, n, dim):
        raise Mismatch(f"{what}\n  expected tokens of shape {(B, n, dim)}\n  got: "
                       f"{tuple(got.shape) if got is not None else out['out']!r}")
    A, b = _as64(out["A"]), _as64(out["blank"])[0, 0]
    expected = unfold_patches(images, p) @ A.T + b
    assert_close(got, expected, f"{what}\n  the tokens, compared with A @ patch n + b for every patch n, where A and "
                 "b are read off your module from patch 0 (one-pixel images and a blank one):",
                 rtol=1e-4, atol=1e-5)


# ============================================================================= PreLNLayer
LAYER_CASES = [(8, 2, 16, 2, 5), (12, 3, 7, 3, 4), (16, 4, 32, 2, 6)]


@weight(1)
def test_preln_layer_is_pre_ln(submission):
    """PreLNLayer keeps the shape, has the task's parameters, and with every parameter zeroed except the
    LayerNorms' it returns its input unchanged (pre-LN: the residual stream is never normalised); with one bias
    set on top, the output is x + that bias for the attention's output bias and the MLP's last bias (each
    sublayer is added to the residual stream), x for every other bias."""
    for case in LAYER_CASES:
        _pre_ln_case(submission, *case)


def _pre_ln_case(submission, dim, heads, mlp_dim, B, T):
    x = 3.0 * torch.randn(B, T, dim, generator=torch.Generator().manual_seed(dim)) + 1.5
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_layer, sub._handle(), dim, heads, mlp_dim, x, 0, 0)
    what = f"PreLNLayer(dim={dim}, heads={heads}, mlp_dim={mlp_dim}) in eval mode on x of shape {tuple(x.shape)}"
    got = _as64(out["out"])
    if got is None or got.shape != x.shape:
        raise Mismatch(f"{what}\n  expected an output of shape {tuple(x.shape)}\n  got: "
                       f"{tuple(got.shape) if got is not None else out['out']!r}")
    expected_count = torch_layer_count(dim, heads, mlp_dim)
    if out["count"] != expected_count:
        hint = ("\nHint: " + HINTS["qkv_without_bias"]) if out["count"] == expected_count - 3 * dim else ""
        raise Mismatch(f"{what}\n  it has {out['count']} parameters; two LayerNorms, the attention's four "
                       f"projections with biases and the MLP dim -> mlp_dim -> dim have {expected_count}{hint}")
    zeroed = _as64(out["zeroed"])
    x64 = x.double()
    variants = {"post_ln": F.layer_norm(x64, (dim,)), "post_ln|twice": F.layer_norm(F.layer_norm(x64, (dim,)), (dim,))}
    hint = None
    if not _close(zeroed, x64, 1e-5, 1e-5):
        found = [k.split("|")[0] for k, v in variants.items() if _close(zeroed, v, 1e-4, 1e-4)]
        hint = found[0] if found else None
    assert_close(zeroed, x64, f"{what}\n  with every parameter outside its nn.LayerNorm modules set to zero, the "
                 "output, compared with the input x (both sublayers then add zero to the residual stream):",
                 rtol=1e-5, atol=1e-5, hint=hint, hints=HINTS)
    _check_residual_additions(out["biases"], x64, dim, what)


def _check_residual_additions(biases, x64, dim, what):
    """With every weight outside the LayerNorms zero, a sublayer's output is its last bias, constant over the
    tokens: the attention's output bias and the MLP's last bias must each move the output by +bias (they are
    added to the residual stream); every other bias reaches the output only through a zeroed weight matrix."""
    added = []
    for b in biases:
        got, value, name = _as64(b["out"]), _as64(b["value"]), b["name"]
        shift = got - x64 if got is not None and got.shape == x64.shape else None
        setting = (f"{what}\n  with every parameter outside its nn.LayerNorm modules set to zero except the bias "
                   f"{name!r} ({b['size']} values, set to random values), ")
        if b["size"] == dim and _close(shift, value.expand_as(x64), 1e-5, 1e-5):
            added.append(name)
        elif b["size"] == dim and _close(shift, -value.expand_as(x64), 1e-5, 1e-5):
            raise Mismatch(f"{setting}the output is x - {name}: a sublayer's output is subtracted from the residual "
                           "stream. Each sublayer adds its output: h = x + drop(attn(ln1(x))), out = h + "
                           "drop(mlp(ln2(h))).")
        elif not _close(shift, torch.zeros_like(x64), 1e-5, 1e-5):
            raise Mismatch(f"{setting}the output is neither x (a bias that reaches the output only through a "
                           f"zeroed weight matrix) nor x + {name} (the last bias of a sublayer, added to the residual "
                           "stream)")
    if len(added) != 2:
        raise Mismatch(f"{what}\n  with every parameter outside its nn.LayerNorm modules set to zero but one bias, "
                       f"the output is x + that bias for {added or 'no bias'}; it must be so for exactly two: the "
                       "bias of the attention's output projection and the MLP's last bias (each sublayer's output "
                       "is added to the residual stream)")


@weight(1)
def test_preln_layer_attends_within_each_image(submission):
    """Changing one token of image 1 changes no output of the other images and changes the other tokens of
    image 1."""
    for case in LAYER_CASES:
        _attention_case(submission, *case)


def _attention_case(submission, dim, heads, mlp_dim, B, T):
    x = torch.randn(B, T, dim, generator=torch.Generator().manual_seed(dim + 1))
    token = T // 2
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_layer, sub._handle(), dim, heads, mlp_dim, x, 1, token)
    what = (f"PreLNLayer(dim={dim}, heads={heads}, mlp_dim={mlp_dim}) in eval mode on x of shape {tuple(x.shape)}, "
            f"then on x with token {token} of image 1 changed")
    a, b = _as64(out["out"]), _as64(out["out_changed"])
    if a is None or b is None or a.shape != x.shape or b.shape != x.shape:
        raise Mismatch(f"{what}\n  expected outputs of shape {tuple(x.shape)}")
    if not (torch.isfinite(a).all() and torch.isfinite(b).all()):
        raise Mismatch(f"{what}\n  the output is not finite (NaN or inf)")
    diff = (b - a).abs().amax(dim=-1)                      # (B, T): how much each output token moved
    moved = diff > 1e-5 * (1.0 + a.abs().max())            # nan-safe: both finite (checked above)
    others = [t for t in range(T) if t != token]
    if moved[0].any() or (B > 2 and moved[2:].any()):
        where = [(int(i), int(t)) for i, t in moved.nonzero().tolist() if i != 1][:6]
        only_same_token = all(t == token for _, t in where) and not moved[1, others].any()
        hint = "\nHint: " + HINTS["batch_first"] if only_same_token else ""
        raise Mismatch(f"{what}\n  outputs of other images changed too, at (image, token) {where}: each image "
                       f"must be attended separately{hint}")
    if not moved[1, others].all():
        still = [t for t in others if not moved[1, t]]
        raise Mismatch(f"{what}\n  the outputs of image 1 at tokens {still} did not change: every token attends "
                       f"to all T tokens of its image")


@weight(1)
def test_preln_layer_dropout_only_in_train_mode(submission):
    """PreLNLayer(..., dropout=0.5): the same output twice in eval mode, different outputs in train mode; with
    dropout=0.0 train mode gives the eval-mode output."""
    for case in [(8, 2, 16), (12, 4, 24)]:
        _dropout_case(submission, *case)


def _dropout_case(submission, dim, heads, mlp_dim):
    x = torch.randn(3, 5, dim, generator=torch.Generator().manual_seed(4))
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_layer_dropout, sub._handle(), dim, heads, mlp_dim, x, 0.5)
    what = f"PreLNLayer(dim={dim}, heads={heads}, mlp_dim={mlp_dim}, dropout=p) on x of shape {tuple(x.shape)}"
    e1, e2, t1, t2 = (_as64(out[k]) for k in ("e1", "e2", "t1", "t2"))
    if not _close(e1, e2, 1e-6, 1e-7):
        raise Mismatch(f"{what}, p=0.5\n  two calls in eval mode give different outputs: dropout must be off in eval "
                       "mode (use nn.Dropout modules, or F.dropout(..., training=self.training))")
    if _close(t1, t2, 1e-6, 1e-7) or _close(t1, e1, 1e-6, 1e-7):
        raise Mismatch(f"{what}, p=0.5\n  in train mode the output is not random (two calls agree, or agree with "
                       "eval mode): dropout with probability p must be active in train mode")
    assert_close(out["zero_train"], _as64(out["zero_eval"]), f"{what}, p=0.0\n  the output in train mode, compared "
                 "with the output in eval mode (dropout 0 drops nothing):", rtol=1e-5, atol=1e-6,
                 labels=("train mode", "eval mode"))


# ============================================================================= ViT: shapes and counts
COUNT_CONFIGS = [SEED_CONFIG,
                 dict(image_size=8, patch_size=2, in_channels=1, n_classes=10, dim=32, depth=2, heads=4, mlp_dim=64),
                 dict(image_size=12, patch_size=3, in_channels=3, n_classes=7, dim=24, depth=3, heads=2, mlp_dim=40),
                 dict(image_size=10, patch_size=5, in_channels=2, n_classes=4, dim=18, depth=1, heads=3, mlp_dim=9)]


@weight(1)
def test_vit_output_shape_and_parameter_count(submission):
    """ViT(...) at the seed configuration and at three others: logits of shape (B, n_classes), cls_token
    (1, 1, dim), pos_embedding (1, N + 1, dim), and exactly the task's number of parameters."""
    sub = submission(EXERCISE)
    rows = sub.run_probe(probe_vit_counts, sub._handle(), COUNT_CONFIGS, False)
    for config, row in zip(COUNT_CONFIGS, rows):
        what = describe_config(config) + (" (the seed configuration)" if config is SEED_CONFIG else "")
        n = (config["image_size"] // config["patch_size"]) ** 2
        if row["out_shape"] != (2, config["n_classes"]):
            raise Mismatch(f"{what} on 2 images\n  expected logits of shape {(2, config['n_classes'])}\n  got: "
                           f"{row['out_shape']}")
        if row["cls_token"] != (1, 1, config["dim"]):
            raise Mismatch(f"{what}\n  cls_token has shape {row['cls_token']}; expected (1, 1, {config['dim']})")
        if row["pos_embedding"] != (1, n + 1, config["dim"]):
            hint = ("\nHint: " + HINTS["pos_embedding_shape"]) if row["pos_embedding"] == (1, n, config["dim"]) else ""
            raise Mismatch(f"{what}\n  pos_embedding has shape {row['pos_embedding']}; expected "
                           f"(1, {n + 1}, {config['dim']}){hint}")
        check_count(row["count"], torch_count(config), config,
                    f"{what}\n  the number of parameters of the model (sum of p.numel())")


@weight(1)
def test_vit_param_count_formula_and_seed_answer(submission):
    """vit_param_count at the seed configuration and three others, and answer_seed_param_count (hashed key)."""
    sub = submission(EXERCISE)
    for config in COUNT_CONFIGS:
        got = sub.vit_param_count(**config)
        args = ", ".join(f"{k}={v}" for k, v in config.items())
        check_count(got, torch_count(config), config, f"vit_param_count({args})")
    got = sub.answer_seed_param_count()
    check_keyed_answer(got, KEYS, EXERCISE, "answer_seed_param_count", "answer_seed_param_count()", hints=HINTS,
                       validate=lambda v: None if isinstance(v, int) and not isinstance(v, bool) else "expected an int")


# ============================================================================= ViT: forward
FORWARD_CASES = [(E2E_CONFIG, 3), (dict(image_size=12, patch_size=4, in_channels=3, n_classes=5, dim=16, depth=3,
                                         heads=2, mlp_dim=20), 2), (SEED_CONFIG, 2)]


@weight(1)
def test_vit_forward_is_the_composition_of_its_parts(submission):
    """ViT.forward = head(norm(layers(cat(cls, patch_embed(images)) + pos_embedding))[:, 0]), recomposed from your
    own submodules (cls_token and pos_embedding set to random values by the grader), at three configurations."""
    for config, B in FORWARD_CASES:
        _forward_case(submission, config, B)


def _forward_case(submission, config, B):
    side = config["image_size"]
    images = torch.rand(B, config["in_channels"], side, side, generator=torch.Generator().manual_seed(side))
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_vit_forward, sub._handle(), config, images, 11)
    what = f"{describe_config(config)} in eval mode on {B} random images"
    if "problem" in out:
        raise Mismatch(f"{what}\n  {out['problem']}")
    check_logits(out["logits"], out["expected"], out["variants"], what)


@weight(1)
def test_vit_logits_depend_on_the_class_token_only(submission):
    """Changing the last layer's output at every position but 0 leaves the logits alone; changing it at position
    0, or changing cls_token, changes them."""
    for config, B in FORWARD_CASES[:2]:
        _class_token_case(submission, config, B)


def _class_token_case(submission, config, B):
    side = config["image_size"]
    images = torch.rand(B, config["in_channels"], side, side, generator=torch.Generator().manual_seed(side + 1))
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_vit_class_token, sub._handle(), config, images, 13)
    what = f"{describe_config(config)} in eval mode on {B} random images"
    if "problem" in out:
        raise Mismatch(f"{what}\n  {out['problem']}")
    if not out["hooked"]:
        raise Mismatch(f"{what}\n  the last of model.layers did not return a (B, T, dim) tensor")
    plain, others, first, new_cls = (_as64(out[k]) for k in ("plain", "others", "first", "new_cls"))
    if not _close(others, plain, 1e-5, 1e-6):
        mean = _as64(out["mean_variant"])
        hint = "\nHint: " + HINTS["mean_pooling"] if mean is not None and _close(others, mean, 1e-4, 1e-5) else ""
        raise Mismatch(f"{what}\n  with the last layer's output changed at positions 1..N (the patch tokens) only, "
                       f"the logits changed: they must come from the class token's final state alone{hint}")
    if _close(first, plain, 1e-6, 1e-7):
        raise Mismatch(f"{what}\n  with the last layer's output changed at position 0 (the class token), the logits "
                       "did not change")
    if _close(new_cls, plain, 1e-6, 1e-7):
        raise Mismatch(f"{what}\n  with another cls_token the logits did not change: the class token must be put in "
                       "front of the patch tokens")


# ============================================================================= evaluate
@weight(1)
def test_evaluate_runs_in_eval_mode_without_gradients(submission):
    """evaluate on a model with dropout handed over in train mode, with batch_size=50 for 130 examples: eval mode,
    no gradients, batches of at most 50, the loss weighted by batch size, the accuracy a fraction, the model left in
    eval mode."""
    x, y, _, _ = digits_subset(130, 1, seed=2)
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_evaluate, sub._handle(), x, y, 50, 3)
    what = ("evaluate(model, x, y, batch_size=50) on 130 digits, with a small MLP with dropout (handed over in train "
            "mode)")
    calls = out["calls"]
    if not calls:
        raise Mismatch(f"{what}\n  the model was never called")
    if any(c["training"] for c in calls):
        raise Mismatch(f"{what}\n  the model ran in train mode\nHint: {HINTS['eval_mode_missing']}")
    if any(c["grad"] for c in calls):
        raise Mismatch(f"{what}\n  the model ran with gradients enabled\nHint: {HINTS['no_grad_missing']}")
    if max(c["n"] for c in calls) > 50 or sum(c["n"] for c in calls) != 130:
        raise Mismatch(f"{what}\n  the model saw batches of {[c['n'] for c in calls]} examples; batches of at most 50, "
                       "covering the 130 examples once, were expected")
    if out["left_training"]:
        raise Mismatch(f"{what}\n  the model was left in train mode; evaluate leaves it in eval mode")
    rep = out["reported"]
    if not isinstance(rep, list) or len(rep) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                             for v in rep):
        raise Mismatch(f"{what}\n  expected (loss, accuracy), two Python floats\n  got: {rep!r}"[:1500])
    loss, accuracy = rep
    if exceeds(abs(loss - out["loss"]), 1e-5 * abs(out["loss"]) + 1e-6):
        hint = ("\nHint: " + HINTS["loss_mean_of_batches"]) if not exceeds(
            abs(loss - out["batch_mean_loss"]), 1e-5 * abs(out["loss"]) + 1e-6) else ""
        raise Mismatch(f"{what}\n  the loss returned, {loss!r}, is not the mean cross-entropy over the 130 examples "
                       f"({out['loss']!r}){hint}")
    if exceeds(abs(accuracy - out["correct"] / out["n"]), 1e-9):
        hint = ("\nHint: " + HINTS["accuracy_as_count"]) if accuracy == out["correct"] else ""
        raise Mismatch(f"{what}\n  the accuracy returned, {accuracy!r}, is not the fraction of correct examples "
                       f"({out['correct']} of {out['n']}){hint}")


# ============================================================================= train_vit
TRAIN_ARGS = dict(epochs=3, batch_size=48, lr=0.01, seed=5)
N_TRAIN, N_VAL = 200, 90


def _train(sub):
    x_tr, y_tr, x_va, y_va = digits_subset(N_TRAIN, N_VAL, seed=1)
    sub.run_probe(warm_up_optimizers)
    a = TRAIN_ARGS
    out = sub.run_probe(probe_train, sub._handle(), x_tr, y_tr, x_va, y_va, a["epochs"], a["batch_size"], a["lr"],
                        a["seed"], 4)
    what = (f"train_vit(model, x_train, y_train, x_val, y_val, epochs={a['epochs']}, batch_size={a['batch_size']}, "
            f"lr={a['lr']}, seed={a['seed']}) with {N_TRAIN} training and {N_VAL} validation digits, on a small MLP "
            "with dropout (handed over in eval mode)")
    return out, what


def _symbols(events) -> list[str]:
    names = {"zero_grad": "z", "backward": "b"}
    return [names[e] if isinstance(e, str) else "s" for e in events
            if isinstance(e, str) or e[0] == "step"]


@weight(1)
def test_train_vit_runs_the_training_loop_the_task_asks(submission):
    """train_vit: a shuffling DataLoader with the batch_size and the seeded generator; Adam with lr; per mini-batch
    zero_grad, backward, step in this order; nn.CrossEntropyLoss on raw logits; the loss goes down."""
    out, what = _train(submission(EXERCISE))
    a = TRAIN_ARGS
    per_epoch = math.ceil(N_TRAIN / a["batch_size"])
    total = a["epochs"] * per_epoch
    loaders = [l for l in out["loaders"] if l["length"] == N_TRAIN]
    if not loaders or not any(l["iterated"] for l in loaders):
        raise Mismatch(f"{what}\n  no DataLoader over the {N_TRAIN} training examples was iterated\n"
                       f"Hint: {HINTS['use_dataloader']}")
    loader = loaders[0]
    if loader["batch_size"] != a["batch_size"]:
        raise Mismatch(f"{what}\n  the DataLoader was built with batch_size={loader['batch_size']}\n"
                       f"Hint: {HINTS['hyperparameters_ignored']}")
    if not loader["shuffle"]:
        raise Mismatch(f"{what}\n  the DataLoader does not shuffle (shuffle=True)\nHint: {HINTS['use_dataloader']}")
    if loader["generator_seed"] != a["seed"]:
        state = "missing" if loader["generator_seed"] is None else f"seeded with {loader['generator_seed']}"
        raise Mismatch(f"{what}\n  the DataLoader's generator is {state}\nHint: {HINTS['shuffle_seed']}")
    steps = [e for e in out["events"] if not isinstance(e, str) and e[0] == "step"]
    if not steps:
        raise Mismatch(f"{what}\n  the optimiser never took a step")
    if any(s[1] != "Adam" for s in steps):
        raise Mismatch(f"{what}\n  the optimiser is {steps[0][1]}; the task asks for torch.optim.Adam")
    if any(not math.isclose(s[2], a["lr"], rel_tol=1e-9) for s in steps[:1]):
        raise Mismatch(f"{what}\n  the optimiser's learning rate is {steps[0][2]!r}\n"
                       f"Hint: {HINTS['hyperparameters_ignored']}")
    if len(steps) != total:
        defaults = {10 * per_epoch, a["epochs"] * math.ceil(N_TRAIN / 32), 10 * math.ceil(N_TRAIN / 32)} - {total}
        hint = f"\nHint: {HINTS['hyperparameters_ignored']}" if len(steps) in defaults else ""
        raise Mismatch(f"{what}\n  the optimiser took {len(steps)} steps; {a['epochs']} epochs of {per_epoch} "
                       f"mini-batches make {total}{hint}")
    symbols = "".join(_symbols(out["events"]))
    windows = symbols.split("s")[:-1]            # what happened before each step, since the previous one
    if any("b" not in w for w in windows):
        k = next(i for i, w in enumerate(windows) if "b" not in w)
        hint = f"\nHint: {HINTS['step_before_backward']}" if k == 0 and symbols.index("b") > symbols.index("s") else ""
        raise Mismatch(f"{what}\n  step {k + 1} was taken with no loss.backward() since the previous step{hint}")
    if any("z" not in w[:w.index("b")] for w in windows[1:]):
        none = all("z" not in w for w in windows)
        hint = f"\nHint: {HINTS['zero_grad_missing']}" if none else ""
        raise Mismatch(f"{what}\n  the gradients were not zeroed between a step and the next loss.backward() "
                       f"(calls in order: {symbols[:24]}{'...' if len(symbols) > 24 else ''}, with z = zero_grad, "
                       f"b = backward, s = step){hint}")
    losses = out["losses"]
    if len(losses) < total:
        raise Mismatch(f"{what}\n  nn.CrossEntropyLoss was called {len(losses)} times while training for {total} "
                       "mini-batches; use nn.CrossEntropyLoss() for the training loss")
    if any(l["softmaxed"] for l in losses):
        raise Mismatch(f"{what}\n  nn.CrossEntropyLoss received the softmax of the model's output\n"
                       f"Hint: {HINTS['softmax_before_ce']}")
    if not out["changed"]:
        raise Mismatch(f"{what}\n  the model's weights did not change")
    first = sum(l["value"] for l in losses[:per_epoch]) / per_epoch
    last = sum(l["value"] for l in losses[-per_epoch:]) / per_epoch
    if not last < first:   # nan-safe: NaN fails
        raise Mismatch(f"{what}\n  the training loss did not go down: mean {first:.4f} in the first epoch, "
                       f"{last:.4f} in the last")


@weight(1)
def test_train_vit_switches_modes_and_returns_its_history(submission):
    """train_vit: every training forward in train mode, every validation forward in eval mode without gradients;
    the history has three lists of `epochs` floats: the training loss of every epoch as trained, and the last
    validation loss and accuracy are those of the final model."""
    out, what = _train(submission(EXERCISE))
    a = TRAIN_ARGS
    per_epoch = math.ceil(N_TRAIN / a["batch_size"])
    forwards = [e for e in out["events"] if not isinstance(e, str) and e[0] == "forward"]
    train_fw = [f for f in forwards if f[2] and not f[3]]
    val_fw = [f for f in forwards if f[3]]
    if train_fw:
        modes = [f[1] for f in train_fw]
        if not any(modes):
            raise Mismatch(f"{what}\n  every training forward pass ran in eval mode\n"
                           f"Hint: {HINTS['train_mode_missing']}")
        if not all(modes):
            first_epoch_ok = all(modes[:per_epoch])
            hint = (f"\nHint: {HINTS['train_mode_not_restored']}"
                    if first_epoch_ok and not any(modes[per_epoch:]) else "")
            raise Mismatch(f"{what}\n  {modes.count(False)} of the {len(modes)} training forward passes ran in eval "
                           f"mode{hint}")
    if not val_fw:
        raise Mismatch(f"{what}\n  the model was never run on the validation images")
    if any(f[1] for f in val_fw):
        raise Mismatch(f"{what}\n  the validation ran in train mode\nHint: {HINTS['eval_mode_missing']}")
    if any(f[2] for f in val_fw):
        raise Mismatch(f"{what}\n  the validation ran with gradients enabled\nHint: {HINTS['no_grad_missing']}")
    history = out["history"]
    keys = ("train_loss", "val_loss", "val_accuracy")
    if not isinstance(history, dict) or any(not isinstance(history.get(k), list) or len(history[k]) != a["epochs"]
                                            or not all(isinstance(v, float) for v in history[k]) for k in keys):
        raise Mismatch(f"{what}\n  expected a dict with {', '.join(keys)}: lists of {a['epochs']} floats each\n"
                       f"  got: {history!r}"[:1500])
    if exceeds(abs(history["val_loss"][-1] - out["final_loss"]), 1e-5 * abs(out["final_loss"]) + 1e-6):
        raise Mismatch(f"{what}\n  the last val_loss, {history['val_loss'][-1]!r}, is not the final model's mean "
                       f"cross-entropy on the validation set ({out['final_loss']!r})")
    acc = history["val_accuracy"][-1]
    if exceeds(abs(acc - out["final_accuracy"]), 0.5 / N_VAL):
        hint = ("\nHint: " + HINTS["accuracy_as_count"]) if not exceeds(
            abs(acc - out["final_accuracy"] * N_VAL), 0.5) else ""
        raise Mismatch(f"{what}\n  the last val_accuracy, {acc!r}, is not the final model's accuracy on the "
                       f"validation set ({out['final_accuracy']!r}){hint}")
    losses = out["losses"]
    if len(losses) == a["epochs"] * per_epoch and all(l["reduction"] == "mean" for l in losses):
        for e in range(a["epochs"]):
            chunk = losses[e * per_epoch:(e + 1) * per_epoch]
            weighted = sum(l["value"] * l["n"] for l in chunk) / sum(l["n"] for l in chunk)
            plain = sum(l["value"] for l in chunk) / len(chunk)
            got = history["train_loss"][e]
            if all(exceeds(abs(got - m), 1e-5 * abs(m) + 1e-6) for m in (weighted, plain)):
                raise Mismatch(f"{what}\n  train_loss[{e}] = {got!r} is not the mean of the losses of epoch {e + 1}'s "
                               f"mini-batches as they were trained ({weighted!r})")


@weight(1)
def test_train_vit_end_to_end_on_digits(submission):
    """A ViT(image_size=8, patch_size=2, dim=32, depth=2, heads=4, mlp_dim=64) trained with train_vit for 8 epochs
    (batch 32, lr 2e-3, seed 0) on digits_split(0) (1348 training digits) must classify at least 85% of the 449
    held-out digits. The reference reaches 0.9467; the same ViT without the positional embedding 0.6169, an
    untrained one about 0.1."""
    sub = submission(EXERCISE)
    sub.run_probe(warm_up_optimizers)
    with seam.call_limit(40, "your training"):
        out = sub.run_probe(probe_end_to_end, sub._handle(), E2E_CONFIG, 0, digits_data(0), 0, 8, 32, 2e-3, 0)
    check_end_to_end(out, E2E_THRESHOLD, f"{describe_config(E2E_CONFIG)} trained by train_vit(..., epochs=8, "
                     "batch_size=32, lr=0.002, seed=0) on digits_split(0)")


# ============================================================================= plot
@weight(1)
def test_plot_history_writes_a_png_with_both_losses(submission):
    """plot_history writes a PNG that opens and draws the training and the validation loss as lines."""
    history = {"train_loss": [2.1, 1.4, 0.9, 0.7], "val_loss": [1.9, 1.3, 1.0, 0.95],
               "val_accuracy": [0.4, 0.6, 0.7, 0.72]}
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_plot, sub._handle(), history)
    what = "plot_history(history, path) with 4 epochs"
    check_png(out["data"], what)
    lines = out["lines"]
    if lines is None:
        raise Mismatch(f"{what}\n  the PNG was not written with a matplotlib Figure's savefig (fig.savefig or "
                       f"plt.savefig), so what it draws cannot be checked\nHint: {HINTS['plot']}")
    for key in ("train_loss", "val_loss"):
        target = torch.tensor(history[key], dtype=torch.float64)
        if not any(len(l) == len(target) and _close(torch.as_tensor(l), target, 1e-6, 1e-9) for l in lines):
            raise Mismatch(f"{what}\n  no line of the figure shows history[{key!r}] (its values in order)\n"
                           f"Hint: {HINTS['plot']}")
