"""Public grading tests for exercises/saliency.py.

Part A: the grader builds the MLPs itself (seeded weights, the MLP2d layout) and computes the expected
values in float64: a functional forward pass, the softmax, and central finite differences for the
gradients. The toy data for training comes from the grader's own copy of make_toy_dataset.
Part B: small seeded CNNs with ReLUs nested as in ResNet-50; the expected guided gradient is computed
next to your code with the grader's own guided ReLU, on a copy of the same model.
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, assert_close

from .saliency_support import (ATOL32, EXERCISE, HINTS, RTOL32, X_RANGE, Y_RANGE, build_mlp, check_gradients,
                               check_guided, check_guided_relu, check_model_left_alone, check_png, check_training,
                               check_values, check_xy, cnn_cases, describe_cnn, describe_mlp, grid_cases, make_image,
                               make_toy_dataset, mlp_specs, mlp_state, oracle_grid, p_variants, probe_grid,
                               probe_gradients, probe_guided, probe_guided_relu, probe_mlp_forward, probe_plot,
                               probe_replace, probe_train, probe_train_usage, scores64, train_case, unpack)

pytestmark = pytest.mark.exercise(EXERCISE)


# ============================================================================= Part A
@weight(1)
@settings(max_examples=6)
@given(spec=mlp_specs(), n=st.integers(1, 20), seed=st.integers(0, 2**16))
@example(spec={"hidden": 16, "seed": 0}, n=5, seed=1)
def test_mlp2d_forward_returns_the_scores_of_net(submission, spec, n, seed):
    """MLP2d.forward with the grader's weights loaded by name gives self.net's raw scores."""
    points = torch.randn(n, 2, generator=torch.Generator().manual_seed(seed)) * 1.5
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_mlp_forward, sub._handle(), spec, points)
    what = f"MLP2d(hidden={spec['hidden']}) with the grader's weights (seed {spec['seed']}) on {n} points"
    if "problem" in out:
        raise Mismatch(f"{what}\n  {out['problem']}")
    expected = scores64(mlp_state(spec), points)
    got = out["out"]
    hint = None
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and \
            torch.allclose(got.double(), torch.softmax(expected, 1), rtol=1e-5, atol=1e-6) and \
            not torch.allclose(expected, torch.softmax(expected, 1), rtol=1e-5, atol=1e-6):
        hint = "forward_softmax"
    assert_close(got, expected, f"{what}\n  scores, compared with net(x) in float64:", rtol=RTOL32, atol=ATOL32,
                 hint=hint, hints=HINTS)


@weight(1)
@pytest.mark.parametrize("data_seed,init_seed", [(0, 0), (7, 3)])
def test_train_classifier_beats_chance_and_returns_its_accuracy(submission, data_seed, init_seed):
    """train_classifier trains the model in place to well above chance and returns its final accuracy."""
    sub = submission(EXERCISE)
    X, y, out, what = train_case(sub, probe_train, data_seed, init_seed, epochs=15)
    check_training(X, y, out, what)


@weight(1)
def test_train_classifier_uses_tensordataset_dataloader_and_cross_entropy(submission):
    """train_classifier builds a TensorDataset and a DataLoader, iterates over it, and uses nn.CrossEntropyLoss."""
    sub = submission(EXERCISE)
    X, y, counts, what = train_case(sub, probe_train_usage, 1, 1, epochs=2)
    batches = 2 * -(-len(y) // 32)
    missing = [(name, hint) for name, hint in (("TensorDataset", "use_dataloader"), ("DataLoader", "use_dataloader"),
                                               ("DataLoader iterated", "use_dataloader"))
               if counts[name] == 0]
    if missing:
        raise Mismatch(f"{what}\n  {', '.join(n for n, _ in missing)}: not used\nHint: {HINTS['use_dataloader']}")
    if counts["CrossEntropyLoss"] < batches:
        raise Mismatch(f"{what}\n  nn.CrossEntropyLoss was called {counts['CrossEntropyLoss']} times for "
                       f"{batches} mini-batches (one loss per mini-batch expected)\nHint: "
                       f"{HINTS['use_cross_entropy']}")


@weight(2)
@settings(max_examples=10)
@given(case=grid_cases())
@example(case=({"hidden": 16, "seed": 3}, X_RANGE, Y_RANGE, 20))
@example(case=({"hidden": 4, "seed": 11}, (-1.0, 1.5), (-1.5, 1.5), 7))
def test_evaluate_on_grid_gives_class_one_probabilities(submission, case):
    """evaluate_on_grid: the "xy" meshgrid of the two linspaces and softmax(scores)[:, 1] at every point."""
    spec, x_range, y_range, steps = case
    sub = submission(EXERCISE)
    result = sub.run_probe(probe_grid, sub._handle(), spec, x_range, y_range, steps)
    what = f"evaluate_on_grid(model, x_range={x_range}, y_range={y_range}, steps={steps}) for {describe_mlp(spec)}"
    XX, YY, P = unpack(result, ("XX", "YY", "P"), what)
    check_xy(XX, YY, x_range, y_range, steps, what)
    eXX, eYY = oracle_grid(x_range, y_range, steps)
    expected, variants = p_variants(mlp_state(spec), eXX, eYY)
    check_values(P, expected, f"{what}: P, compared with softmax(scores, dim=1)[:, 1] in float64", variants,
                 RTOL32, ATOL32)


@weight(3)
@settings(max_examples=10)
@given(case=grid_cases(max_steps=16))
@example(case=({"hidden": 16, "seed": 3}, X_RANGE, Y_RANGE, 12))
@example(case=({"hidden": 3, "seed": 5}, (-1.0, 1.5), (-1.5, 1.5), 5))
def test_compute_input_gradients_match_finite_differences(submission, case):
    """compute_input_gradients: dp1/dx1 and dp1/dx2 on the grid agree with central finite differences."""
    spec, x_range, y_range, steps = case
    sub = submission(EXERCISE)
    result = sub.run_probe(probe_gradients, sub._handle(), spec, x_range, y_range, steps)
    what = (f"compute_input_gradients(model, x_range={x_range}, y_range={y_range}, steps={steps}) for "
            f"{describe_mlp(spec)}")
    XX, YY, GX, GY = unpack(result, ("XX", "YY", "GX", "GY"), what)
    check_xy(XX, YY, x_range, y_range, steps, what)
    eXX, eYY = oracle_grid(x_range, y_range, steps)
    check_gradients(GX, GY, mlp_state(spec), eXX, eYY, what)


@weight(1)
def test_plot_gradient_field_writes_a_png(submission):
    """plot_gradient_field writes a PNG that opens, with a sensible size and more than one colour."""
    X, y = make_toy_dataset(60, 0.15, 2)
    spec = {"hidden": 8, "seed": 4}
    model = build_mlp(spec)
    XX, YY = oracle_grid(X_RANGE, Y_RANGE, 30)
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], 1).float()
    with torch.no_grad():
        P = torch.softmax(model(grid), 1)[:, 1].reshape(30, 30)
    cX, cY = oracle_grid(X_RANGE, Y_RANGE, 10)
    coarse = torch.stack([cX.reshape(-1), cY.reshape(-1)], 1).float().requires_grad_(True)
    torch.softmax(model(coarse), 1)[:, 1].sum().backward()
    GX, GY = coarse.grad[:, 0].reshape(10, 10), coarse.grad[:, 1].reshape(10, 10)
    sub = submission(EXERCISE)
    data = sub.run_probe(probe_plot, sub._handle(), X, y, XX.float(), YY.float(), P, GX, GY)
    check_png(data, "plot_gradient_field(X, y, XX, YY, P, GX, GY, path) with a 30x30 grid for P and a 10x10 grid "
                    "for the gradients")


# ============================================================================= Part B
@st.composite
def relu_inputs(draw):
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3), label="shape"))
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**31 - 1), label="seed"))
    x, grad = torch.randn(shape, generator=g), torch.randn(shape, generator=g)
    if draw(st.booleans(), label="some exact zeros"):
        x = torch.where(torch.rand(shape, generator=g) < 0.3, torch.zeros(shape), x)
    return x, grad


@weight(2)
@settings(max_examples=12)
@given(data=relu_inputs())
@example(data=(torch.tensor([[-1.5, 2.0, 0.5], [3.0, -0.25, 1.0]]),
               torch.tensor([[1.0, -2.0, 0.5], [0.75, 1.0, -1.0]])))
@example(data=(torch.tensor([0.0, 1.0, -1.0, 2.0]), torch.tensor([1.0, 1.0, 1.0, -3.0])))
def test_guided_relu_is_relu_forward_and_double_masked_backward(submission, data):
    """GuidedReLU: relu(x) forward; backward grad_output * (x > 0) * (grad_output > 0)."""
    x, grad_out = data
    sub = submission(EXERCISE)
    got = sub.run_probe(probe_guided_relu, sub._handle(), x, grad_out)
    check_guided_relu(got, x, grad_out, f"GuidedReLU.apply(x) with x =\n{x}\nand grad_output =\n{grad_out}")


@weight(2)
@settings(max_examples=6)
@given(case=cnn_cases())
@example(case=({"arch": "resnet", "seed": 1, "in_channels": 3, "width": 4, "num_classes": 5},
               {"batch": 1, "height": 8, "width": 8, "seed": 2}, 0))
def test_replace_relus_swaps_every_relu_including_nested_ones(submission, case):
    """replace_relus: no nn.ReLU left anywhere, a GuidedReLUModule in each place, same output, model returned."""
    spec, inputs, _ = case
    x = make_image(spec, inputs)
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_replace, sub._handle(), spec, x)
    what = f"replace_relus(model) for a {describe_cnn(spec, x)}"
    if out["left"]:
        nested = [n for n in out["left"] if "." in n]
        hint = f"\nHint: {HINTS['nested_not_swapped']}" if nested else ""
        raise Mismatch(f"{what}\n  nn.ReLU modules left in the model: {out['left']}{hint}")
    missing = sorted(set(out["relus"]) - set(out["swapped"]))
    if missing:
        raise Mismatch(f"{what}\n  these ReLUs were not replaced by a GuidedReLUModule: {missing}")
    if not out["others_kept"]:
        raise Mismatch(f"{what}\n  modules other than the ReLUs were changed or moved; replace only the nn.ReLU "
                       "modules")
    if not out["returned_model"]:
        raise Mismatch(f"{what}\n  replace_relus must return the model it was given (changed in place)")
    assert_close(out["after"], out["before"], f"{what}\n  the model's output after the swap, compared with its "
                 "output before (the forward pass must not change):", rtol=RTOL32, atol=ATOL32, hint="forward_not_relu",
                 hints=HINTS)


def _guided(sub, case):
    spec, inputs, class_idx = case
    x = make_image(spec, inputs)
    out = sub.run_probe(probe_guided, sub._handle(), spec, x, class_idx)
    return out, f"guided_backprop(model, x, class_idx={class_idx}) for a {describe_cnn(spec, x)}"


@weight(3)
@settings(max_examples=10)
@given(case=cnn_cases())
@example(case=({"arch": "resnet", "seed": 5, "in_channels": 3, "width": 4, "num_classes": 6},
               {"batch": 2, "height": 10, "width": 9, "seed": 3}, 2))
@example(case=({"arch": "sequential", "seed": 8, "in_channels": 1, "width": 3, "num_classes": 4},
               {"batch": 1, "height": 8, "width": 8, "seed": 4}, 3))
def test_guided_backprop_matches_guided_gradient_of_the_class_score(submission, case):
    """guided_backprop: the input gradient of scores[:, class_idx] with every ReLU guided."""
    out, what = _guided(submission(EXERCISE), case)
    check_guided(out, what)


@weight(1)
@settings(max_examples=4)
@given(case=cnn_cases(archs=("resnet",)))
def test_guided_backprop_leaves_the_model_as_it_was(submission, case):
    """After guided_backprop the model still has its nn.ReLUs, the same parameters and its plain gradient."""
    out, what = _guided(submission(EXERCISE), case)
    check_model_left_alone(out, what)
