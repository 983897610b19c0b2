"""Public grading tests for exercises/cam.py.

Models are small CNNs with ResNet-50's head (conv features -> ReLU -> GAP -> fc) and seeded random
weights: the same model is built in your process (where your function receives it) and in the
grader, which computes the expected values itself with a forward hook, the fc weights and
F.interpolate, in float64.

Promises of the task text -> the tests that exercise them (with a non-default value or starting state):

- topk: softmax over dim 1, k largest, sorted, B > 1
    -> test_topk_predictions_are_the_largest_softmax_probabilities; hidden: test_topk_predictions_on_wider_models
- topk: k left out means k=5
    -> test_topk_predictions_are_the_largest_softmax_probabilities (example k=None, K=12)
- topk: k > K lists all K; exact ties lower index first (also K = 40 > 16, where torch's sort needs stable=True)
    -> test_topk_predictions_break_ties_by_lower_index_and_cap_k
- topk: probabilities are Python floats
    -> test_topk_predictions_break_ties_by_lower_index_and_cap_k
- topk: the model's train/eval mode is left as given
    -> test_topk_predictions_break_ties_by_lower_index_and_cap_k (model given in train mode)
- normalize_cam: per map, constant map -> zeros, tiny and large ranges
    -> test_normalize_cam_is_per_map_min_max (scales 1e-3..50, example with range 4e-4)
- normalize_cam: the maps passed in are not modified
    -> test_normalize_cam_is_per_map_min_max (probe compares the argument after the call)
- cam_from_activations: row of classes[b], bilinear align_corners=False, size (H, W) not square, signed A
    -> test_cam_from_activations_matches_weighted_sum_upsampled_and_normalised; hidden:
       test_cam_from_activations_on_wider_shapes
- cam_from_activations: float32 and float64 inputs
    -> hidden: test_cam_from_activations_on_wider_shapes (dtype drawn, float64 example)
- class_activation_map: target_layer as module or name, argmax class, B > 1, H != W
    -> test_class_activation_map_of_the_predicted_class; hidden: test_class_activation_map_on_larger_inputs
- class_activation_map: fc_layer given (module or name) other than model.fc
    -> test_class_activation_map_uses_the_fc_layer_given_and_leaves_a_train_mode_model_alone
- class_activation_map: class_idx int (incl. 0), or B ints
    -> test_class_activation_map_for_requested_classes,
       test_class_activation_map_uses_the_fc_layer_given_and_leaves_a_train_mode_model_alone
- class_activation_map: hook removed; mode, requires_grad, weights left as they were
    -> test_class_activation_map_properties_and_hook_removed, test_class_activation_map_for_requested_classes,
       test_class_activation_map_uses_the_fc_layer_given_and_leaves_a_train_mode_model_alone (train mode)
- maps in [0, 1], min 0, max 1, constant map -> zeros
    -> test_class_activation_map_properties_and_hook_removed
- save_cam_overlay: PNG written, heat map drawn, RGB and grey images
    -> test_save_cam_overlay_writes_a_png
- save_cam_overlay: alpha (0: image only, 1: map only), cmap, grey image in grey
    -> test_save_cam_overlay_writes_a_png
- save_cam_overlay: path as str or pathlib.Path, returns str(path)
    -> test_save_cam_overlay_writes_a_png
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch

from .cam_support import (EXERCISE, HINTS, build_model, cam_tolerance, cam_variants, check_cam_values, check_classes,
                          check_map_properties, check_model_left_alone, check_overlays,
                          check_requested_classes, check_topk, clear_winner, describe_case, forward_with_activations,
                          labels_for, make_input, min_max, model_cases, oracle_cam, probe_cam, probe_normalize,
                          overlay_calls, probe_overlay, probe_topk, size_variants, upsample)

pytestmark = pytest.mark.exercise(EXERCISE)


# ---------------------------------------------------------------- top-k
@weight(1)
@settings(max_examples=15)
@given(case=model_cases(max_classes=20), k=st.integers(1, 7))
@example(case=({"arch": "resnet", "seed": 145, "in_channels": 3, "width": 4, "num_classes": 20},
               {"batch": 2, "height": 32, "width": 32, "seed": 7}), k=5)
@example(case=({"arch": "small", "seed": 21, "in_channels": 3, "width": 4, "num_classes": 12},
               {"batch": 2, "height": 16, "width": 20, "seed": 8}), k=None)
def test_topk_predictions_are_the_largest_softmax_probabilities(submission, case, k):
    """topk_predictions: labels and softmax probabilities of the k most probable classes, sorted (k=None: the
    call leaves k out, so the default k=5 applies)."""
    spec, inputs = case
    x = make_input(spec, inputs)
    sub = submission(EXERCISE)
    labels = labels_for(spec["num_classes"])
    got = sub.run_probe(probe_topk, sub._handle(), spec, x, labels, k)["result"]
    _, _, logits = forward_with_activations(spec, x)
    call = "topk_predictions(model, x, labels)" if k is None else f"topk_predictions(model, x, labels, k={k})"
    check_topk(got, logits, labels, 5 if k is None else k, f"{call} on a {describe_case(spec, x)}")


TIE_SPECS = {6: {"arch": "small", "seed": 3, "in_channels": 3, "width": 4, "num_classes": 6, "tie_rows": [4, 1, 2]},
             # more than 16 classes: torch's sort keeps ties in index order there only when asked (stable=True)
             40: {"arch": "small", "seed": 3, "in_channels": 3, "width": 4, "num_classes": 40,
                  "tie_rows": [33, 5, 21, 12, 38, 2, 27], "zero_rows": [30, 1, 17, 9, 36, 24, 3, 14, 28, 19, 7, 39]}}


@weight(1)
@pytest.mark.parametrize("k,classes", [(3, 6), (7, 6), (40, 40)])
def test_topk_predictions_break_ties_by_lower_index_and_cap_k(submission, k, classes):
    """Exact ties are listed lower index first (also with more than 16 classes); k larger than the number of
    classes lists them all; a model given in train mode stays in train mode."""
    spec = TIE_SPECS[classes]
    x = make_input(spec, {"batch": 2, "height": 12, "width": 10, "seed": 11})
    sub = submission(EXERCISE)
    labels = labels_for(spec["num_classes"])
    out = sub.run_probe(probe_topk, sub._handle(), spec, x, labels, k, "train")
    _, _, logits = forward_with_activations(spec, x)
    what = (f"topk_predictions(model, x, labels, k={k}) on a {describe_case(spec, x)} (classes "
            f"{sorted(spec['tie_rows'])} tie for the top; the model is given in train mode)")
    check_topk(out["result"], logits, labels, k, what, exact_order=True, python_floats=True)
    if out["changes"]:
        raise Mismatch(f"{what}\n  after the call: " + "; ".join(out["changes"])
                       + f"\nHint: {HINTS['model_state_changed']}")


# ---------------------------------------------------------------- normalisation
@st.composite
def map_batches(draw):
    batch = draw(st.integers(1, 4), label="batch")
    height, width = draw(st.integers(1, 9), label="H"), draw(st.integers(1, 9), label="W")
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**31 - 1), label="seed"))
    scale = draw(st.sampled_from([1e-3, 1.0, 50.0]), label="scale")
    maps = (torch.randn(batch, height, width, generator=g) * scale).float()
    constant = draw(st.lists(st.integers(0, batch - 1), max_size=2), label="constant maps")
    for b in constant:
        maps[b] = draw(st.sampled_from([0.0, 1.5, -2.0]), label="constant value")
    return maps


@weight(1)
@settings(max_examples=30)
@given(maps=map_batches())
@example(maps=torch.tensor([[[1.0, 2.0], [3.0, 5.0]], [[-4.0, 0.0], [4.0, 2.0]]]))
@example(maps=torch.tensor([[[0.0, 0.0], [0.0, 0.0]], [[2.0, 2.0], [2.0, 2.0]], [[1.0, 3.0], [2.0, 2.0]]]))
@example(maps=torch.tensor([[[1e-4, 3e-4, 2e-4], [0.0, 4e-4, 1e-4]], [[-30.0, 10.0, 5.0], [0.0, 2.5, -7.5]]]))
def test_normalize_cam_is_per_map_min_max(submission, maps):
    """normalize_cam: per map (x - min) / (max - min) (also for maps with a tiny range); constant maps become
    zeros; the maps passed in are left unchanged."""
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_normalize, sub._handle(), maps)
    got = out["out"]
    expected = min_max(maps.double())
    what = f"normalize_cam(maps) for maps of shape {tuple(maps.shape)}:\n{maps}"
    nonconstant = (maps.flatten(1).amax(1) > maps.flatten(1).amin(1)).tolist()
    variants = {"min_not_subtracted": maps.double() / maps.double().flatten(1).amax(1)[:, None, None],
                "per_map": min_max(maps.double(), per_map=False)}
    check_cam_values(got, expected, what, variants=variants, atol=1e-5)
    check_map_properties(got, tuple(maps.shape), what, torch.tensor(nonconstant), expected)
    if out["input_changed"]:
        raise Mismatch(f"{what}\n  the result is right, but the tensor passed in was modified in place\n"
                       f"Hint: {HINTS['input_modified']}")


# ---------------------------------------------------------------- CAM from stored activations
@st.composite
def activation_cases(draw, max_batch=3, max_channels=8, max_side=7, max_classes=10, max_out=40):
    """Shapes and a seed (see make_activations); plain data, so that a failing case prints compactly."""
    h = draw(st.integers(1, max_side), label="h")
    w = draw(st.integers(2 if h == 1 else 1, max_side), label="w")      # never 1x1: see below
    return dict(batch=draw(st.integers(1, max_batch), label="batch"), channels=draw(st.integers(1, max_channels),
                label="C"), h=h, w=w, classes=draw(st.integers(1, max_classes), label="K"),
                size=(draw(st.integers(h, max_out), label="H"), draw(st.integers(w, max_out), label="W")),
                seed=draw(st.integers(0, 2**31 - 1), label="seed"))
# A 1x1 map upsampled bilinearly is constant only up to float32 rounding, so min-max of it is noise:
# such maps are left out. Constant maps are tested exactly through zero maps and normalize_cam.


def make_activations(case: dict):
    """(A, W, classes, size): A = ReLU of Gaussian values, W Gaussian, classes uniform; or given values."""
    if "A" in case:
        return (torch.tensor(case["A"]), torch.tensor(case["W"]), torch.tensor(case["picked"]), case["size"])
    g = torch.Generator().manual_seed(case["seed"])
    A = torch.relu(torch.randn(case["batch"], case["channels"], case["h"], case["w"], generator=g))
    W = torch.randn(case["classes"], case["channels"], generator=g)
    return A, W, torch.randint(0, case["classes"], (case["batch"],), generator=g), case["size"]


def _activation_what(A, W, classes, size):
    return (f"cam_from_activations(A, W, classes, size={size}) with A of shape {tuple(A.shape)} (ReLU of Gaussian "
            f"values), W of shape {tuple(W.shape)}, classes={classes.tolist()}")


@weight(2)
@settings(max_examples=25)
@given(case=activation_cases())
@example(case={"A": [[[[1.0, 0.0], [0.0, 2.0]], [[0.0, 3.0], [1.0, 0.0]]]], "W": [[1.0, -1.0], [0.5, 2.0]],
               "picked": [1], "size": (4, 4)})
@example(case={"batch": 1, "channels": 64, "h": 7, "w": 7, "classes": 50, "size": (224, 224), "seed": 50})
def test_cam_from_activations_matches_weighted_sum_upsampled_and_normalised(submission, case):
    """cam_from_activations: FC-row-weighted sum of A, bilinear upsampling (align_corners=False), min-max."""
    A, W, classes, size = make_activations(case)
    got = submission(EXERCISE).cam_from_activations(A, W, classes, size)
    expected = oracle_cam(A, W, classes, size)
    check_cam_values(got, expected, _activation_what(A, W, classes, size),
                     variants=cam_variants(A, W, classes, size), atol=cam_tolerance(A, W, classes, size),
                     shape_variants=size_variants(A.shape[-2:], size, A.shape[0]))


# ---------------------------------------------------------------- CAM of a model
def _model_cam(sub, spec, x, layer_as, class_idx=None, fc_as="default", mode="eval"):
    out = sub.run_probe(probe_cam, sub._handle(), spec, x, layer_as, class_idx, fc_as, mode)
    result = out["result"]
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise Mismatch(f"class_activation_map must return a pair (cams, classes)\n  got: {result!r}"[:1500])
    return result[0], result[1], out["hooks_left"], out["changes"]


def _predicted(logits: torch.Tensor) -> torch.Tensor:
    return logits.argmax(1)


@weight(2)
@settings(max_examples=15)
@given(case=model_cases(sides=(6, 40)), layer_as=st.sampled_from(["module", "name"]))
@example(case=({"arch": "resnet", "seed": 50, "in_channels": 3, "width": 8, "num_classes": 10},
               {"batch": 2, "height": 64, "width": 48, "seed": 5}), layer_as="module")
@example(case=({"arch": "small", "seed": 1, "in_channels": 1, "width": 4, "num_classes": 10},
               {"batch": 3, "height": 28, "width": 28, "seed": 2}), layer_as="name")
def test_class_activation_map_of_the_predicted_class(submission, case, layer_as):
    """class_activation_map on small CNNs: hook the target layer, row of the argmax class, upsample, min-max."""
    spec, inputs = case
    x = make_input(spec, inputs)
    sub = submission(EXERCISE)
    cams, classes, _, _ = _model_cam(sub, spec, x, layer_as)
    A, W, logits = forward_with_activations(spec, x)
    assume(clear_winner(logits))
    layer = f"model.{'features' if spec['arch'] == 'small' else 'layer4'}"
    what = (f"class_activation_map(model, x, {layer if layer_as == 'module' else repr(layer[6:])}) on a "
            f"{describe_case(spec, x)}")
    expected_classes = _predicted(logits)
    check_classes(classes, expected_classes, logits, what)
    size = tuple(x.shape[-2:])
    check_cam_values(cams, oracle_cam(A, W, expected_classes, size), what + ": the maps",
                     variants=cam_variants(A, W, expected_classes, size, logits),
                     atol=cam_tolerance(A, W, expected_classes, size), from_model=True,
                     shape_variants=size_variants(A.shape[-2:], size, x.shape[0]))


@weight(1)
@settings(max_examples=10)
@given(case=model_cases(sides=(6, 24), max_batch=2), data=st.data())
def test_class_activation_map_properties_and_hook_removed(submission, case, data):
    """Maps have the input's H x W, lie in [0, 1] with min 0 and max 1, and no hook is left on the model."""
    spec, inputs = case
    x = make_input(spec, inputs)
    sub = submission(EXERCISE)
    zero = data.draw(st.integers(0, spec["num_classes"] - 1), label="class with a zero fc row")
    spec = dict(spec, zero_rows=[zero])
    class_idx = data.draw(st.one_of(st.none(), st.just(zero)), label="class_idx")
    cams, _, hooks_left, changes = _model_cam(sub, spec, x, "module", class_idx)
    A, W, logits = forward_with_activations(spec, x)
    assume(class_idx is not None or clear_winner(logits))
    classes = _predicted(logits) if class_idx is None else torch.full((x.shape[0],), zero)
    raw = upsample(torch.einsum("bc,bchw->bhw", W.double()[classes], A.double()), x.shape[-2:]).flatten(1)
    what = (f"class_activation_map(model, x, model.{'features' if spec['arch'] == 'small' else 'layer4'}"
            f"{'' if class_idx is None else f', class_idx={class_idx}'}) on a {describe_case(spec, x)}")
    check_map_properties(cams, (x.shape[0], *x.shape[-2:]), what, raw.amax(1) > raw.amin(1),
                         min_max(raw.reshape(x.shape[0], *x.shape[-2:])),
                         cam_tolerance(A, W, classes, tuple(x.shape[-2:])),
                         size_variants(A.shape[-2:], tuple(x.shape[-2:]), x.shape[0]))
    check_model_left_alone(hooks_left, changes, what)


@weight(1)
@settings(max_examples=10)
@given(case=model_cases(sides=(6, 30), max_batch=3), data=st.data(), fc_as=st.sampled_from(["module", "name"]))
def test_class_activation_map_for_requested_classes(submission, case, data, fc_as):
    """class_idx (one int for all, or one per input) picks the FC row; fc_layer as module or name."""
    spec, inputs = case
    x = make_input(spec, inputs)
    batch, num_classes = x.shape[0], spec["num_classes"]
    per_input = data.draw(st.booleans(), label="one class per input")
    if per_input:
        class_idx = data.draw(st.lists(st.integers(0, num_classes - 1), min_size=batch, max_size=batch),
                              label="class_idx")
    else:
        class_idx = data.draw(st.integers(0, num_classes - 1), label="class_idx")
    sub = submission(EXERCISE)
    cams, classes, hooks_left, changes = _model_cam(sub, spec, x, "name", class_idx, fc_as)
    A, W, logits = forward_with_activations(spec, x)
    fc = "model.fc" if fc_as == "module" else "'fc'"
    layer = "features" if spec["arch"] == "small" else "layer4"
    what = (f"class_activation_map(model, x, {layer!r}, fc_layer={fc}, class_idx={class_idx}) on a "
            f"{describe_case(spec, x)}")
    expected_classes = check_requested_classes(classes, class_idx, logits, what)
    size = tuple(x.shape[-2:])
    check_cam_values(cams, oracle_cam(A, W, expected_classes, size), what + ": the maps",
                     variants=cam_variants(A, W, expected_classes, size),
                     atol=cam_tolerance(A, W, expected_classes, size), from_model=True,
                     shape_variants=size_variants(A.shape[-2:], size, batch))
    check_model_left_alone(hooks_left, changes, what)


# A classifier named "classifier" next to an unused nn.Linear called "fc"; the model is given in train mode;
# class_idx=0 where no input predicts class 0 (the seeds are chosen for that).
FC_CASES = {
    "module": ({"arch": "resnet", "seed": 12, "in_channels": 3, "width": 4, "num_classes": 7, "head": "classifier"},
               {"batch": 2, "height": 18, "width": 13, "seed": 3}, None),
    "name": ({"arch": "small", "seed": 5, "in_channels": 1, "width": 3, "num_classes": 5, "head": "classifier"},
             {"batch": 3, "height": 11, "width": 16, "seed": 4}, 0),
}


@weight(1)
@pytest.mark.parametrize("fc_as", ["module", "name"])
def test_class_activation_map_uses_the_fc_layer_given_and_leaves_a_train_mode_model_alone(submission, fc_as):
    """fc_layer given as a module or a name that is not "fc"; class_idx=0 is a class, not "no class"; a model
    given in train mode is left in train mode, with its hooks, requires_grad flags and weights unchanged."""
    spec, inputs, class_idx = FC_CASES[fc_as]
    x = make_input(spec, inputs)
    sub = submission(EXERCISE)
    cams, classes, hooks_left, changes = _model_cam(sub, spec, x, "name", class_idx, fc_as, "train")
    A, W, logits = forward_with_activations(spec, x)
    decoy = build_model(spec).fc.weight.detach()
    fc = "model.classifier" if fc_as == "module" else "'classifier'"
    layer = "features" if spec["arch"] == "small" else "layer4"
    what = (f"class_activation_map(model, x, {layer!r}, fc_layer={fc}"
            f"{'' if class_idx is None else f', class_idx={class_idx}'}) on a {describe_case(spec, x)}, "
            "given in train mode")
    if class_idx is None:
        expected_classes = _predicted(logits)
        check_classes(classes, expected_classes, logits, what)
    else:
        expected_classes = check_requested_classes(classes, class_idx, logits, what)
    size = tuple(x.shape[-2:])
    check_cam_values(cams, oracle_cam(A, W, expected_classes, size), what + ": the maps",
                     variants=cam_variants(A, W, expected_classes, size, logits, decoy_W=decoy),
                     atol=cam_tolerance(A, W, expected_classes, size), from_model=True,
                     shape_variants=size_variants(A.shape[-2:], size, x.shape[0]))
    check_model_left_alone(hooks_left, changes, what)


# ---------------------------------------------------------------- overlay
@weight(1)
@pytest.mark.parametrize("channels,cmap", [(3, "jet"), (1, "hot")])
def test_save_cam_overlay_writes_a_png(submission, channels, cmap):
    """save_cam_overlay writes a PNG that opens, has a sensible size, changes with the map, follows alpha (0: the
    image only, 1: the map only) and cmap, draws a grey image in grey, accepts a pathlib.Path and returns
    str(path)."""
    g = torch.Generator().manual_seed(4)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 40), torch.linspace(0, 1, 56), indexing="ij")
    image = 0.8 * xx + 0.2 * torch.rand(channels, 40, 56, generator=g)   # dark on the left, bright on the right
    if channels == 3:   # and coloured: more red on the left, more blue on the right
        image = image * torch.tensor([1.0, 0.7, 0.4]).view(3, 1, 1) + torch.stack([1 - xx, 0 * xx, xx]) * 0.2
    other_image = torch.rand(channels, 40, 56, generator=g)
    cam = torch.exp(-((xx - 0.25) ** 2 + (yy - 0.4) ** 2) / 0.02)
    cam = (cam - cam.min()) / (cam.max() - cam.min())
    sub = submission(EXERCISE)
    calls = overlay_calls(image, other_image, cam, cmap)
    files = sub.run_probe(probe_overlay, sub._handle(), calls)
    check_overlays(files, calls, f"{channels}-channel image of shape {tuple(image.shape)}, cam of shape "
                                 f"{tuple(cam.shape)}")
