"""Hidden tests for cam: wider models and sizes, the reference solution as the oracle.

Feedback names the input and what was wrong, never the reference's values.
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, exceeds

from ..public.cam_support import (EXERCISE, build_model, cam_tolerance, cam_variants, check_cam_values,
                                  check_classes, check_topk, clear_winner, describe_case, forward_with_activations,
                                  labels_for, make_input, model_cases, probe_cam, probe_topk, size_variants)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=10)
@given(case=model_cases(max_batch=4, max_classes=60, max_width=12, sides=(6, 48)), k=st.integers(1, 12))
def test_topk_predictions_on_wider_models(submission, reference, case, k):
    """topk_predictions with up to 60 classes, against the reference."""
    spec, inputs = case
    x = make_input(spec, inputs)
    sub = submission(EXERCISE)
    labels = labels_for(spec["num_classes"])
    got = sub.run_probe(probe_topk, sub._handle(), spec, x, labels, k)["result"]
    expected = reference(EXERCISE).topk_predictions(build_model(spec), x, labels, k)
    _, _, logits = forward_with_activations(spec, x)
    what = f"topk_predictions(model, x, labels, k={k}) on a {describe_case(spec, x)}"
    check_topk(got, logits, labels, k, what, reveal=False)
    # Where the reference's probabilities are well apart, the labels must come in its order.
    probs = torch.sort(torch.softmax(logits.double(), 1), dim=1, descending=True).values
    n = min(k, spec["num_classes"])
    for b, (row, ref_row) in enumerate(zip(got, expected)):
        gaps = probs[b, :n + 1].diff().abs() if n < spec["num_classes"] else probs[b, :n].diff().abs()
        if (gaps.numel() == 0 or exceeds(gaps.min(), 1e-6)) and [p[0] for p in row] != [p[0] for p in ref_row]:
            raise Mismatch(f"{what}, input {b}\n  the labels listed are not the {n} most probable classes in "
                           f"order\n  got: {[p[0] for p in row]!r}")


@weight(1)
@visibility("after_due_date")
@settings(max_examples=10)
@given(case=model_cases(max_batch=4, max_classes=30, max_width=16, sides=(9, 72)),
       layer_as=st.sampled_from(["module", "name"]))
def test_class_activation_map_on_larger_inputs(submission, reference, case, layer_as):
    """class_activation_map on larger, non-square inputs, against the reference."""
    spec, inputs = case
    x = make_input(spec, inputs)
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_cam, sub._handle(), spec, x, layer_as, None, "default", "eval")
    ref_cams, ref_classes = reference(EXERCISE).class_activation_map(
        build_model(spec), x, "features" if spec["arch"] == "small" else "layer4")
    A, W, logits = forward_with_activations(spec, x)
    assume(clear_winner(logits))
    what = f"class_activation_map on a {describe_case(spec, x)}"
    result = out["result"]
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise Mismatch(f"{what}\n  expected a pair (cams, classes)\n  got: {result!r}"[:1500])
    cams, classes = result
    check_classes(classes, ref_classes, logits, what, reveal=False)
    size = tuple(x.shape[-2:])
    check_cam_values(cams, ref_cams.double(), what + ": the maps",
                     variants=cam_variants(A, W, ref_classes, size, logits),
                     atol=cam_tolerance(A, W, ref_classes, size), reveal=False, from_model=True,
                     shape_variants=size_variants(A.shape[-2:], size, x.shape[0]))


@weight(1)
@visibility("after_due_date")
@settings(max_examples=15)
@given(batch=st.integers(1, 4), channels=st.integers(1, 96), h=st.integers(2, 9), w=st.integers(2, 9),
       classes=st.integers(1, 40), out=st.tuples(st.integers(9, 96), st.integers(9, 96)),
       seed=st.integers(0, 2**31 - 1), signed=st.booleans(), dtype=st.sampled_from([torch.float32, torch.float64]))
@example(batch=2, channels=5, h=3, w=4, classes=6, out=(17, 30), seed=9, signed=True, dtype=torch.float64)
def test_cam_from_activations_on_wider_shapes(submission, reference, batch, channels, h, w, classes, out, seed,
                                              signed, dtype):
    """cam_from_activations with many channels, signed activations, float32 or float64, against the reference."""
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(batch, channels, h, w, generator=g, dtype=dtype)
    A = A if signed else torch.relu(A)
    W = torch.randn(classes, channels, generator=g, dtype=dtype)
    picked = torch.randint(0, classes, (batch,), generator=g)
    got = submission(EXERCISE).cam_from_activations(A, W, picked, out)
    expected = reference(EXERCISE).cam_from_activations(A.double(), W.double(), picked, out)
    check_cam_values(got, expected, f"cam_from_activations with A of shape {tuple(A.shape)}, W of shape "
                     f"{tuple(W.shape)} ({str(dtype)[6:]}), classes={picked.tolist()}, size={out}",
                     variants=cam_variants(A, W, picked, out), atol=cam_tolerance(A, W, picked, out), reveal=False,
                     shape_variants=size_variants(A.shape[-2:], out, batch))
