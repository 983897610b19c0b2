"""Public grading tests for exercises/saliency.py.

Part A: the grader builds the MLPs itself (seeded weights, the MLP2d layout) and computes the expected
values in float64: a functional forward pass, the softmax, and central finite differences for the
gradients. The toy data for training comes from the grader's own copy of make_toy_dataset.
Part B: small seeded CNNs with ReLUs nested as in ResNet-50; the expected guided gradient is computed
next to your code with the grader's own guided ReLU, on a copy of the same model.

Promises of the task text -> the tests that exercise them (with a non-default value or starting state):

- MLP2d.forward: raw scores of self.net
    -> test_mlp2d_forward_returns_the_scores_of_net
- train_classifier: trains in place, returns the final accuracy as a fraction (a Python float: first case)
    -> test_train_classifier_beats_chance_and_returns_its_accuracy; hidden: test_train_classifier_on_other_data
- train_classifier: TensorDataset, DataLoader, CrossEntropyLoss per mini-batch
    -> test_train_classifier_uses_tensordataset_dataloader_and_cross_entropy
- train_classifier: epochs, batch_size, lr as given (not defaults); shuffle=True
    -> test_train_classifier_uses_tensordataset_dataloader_and_cross_entropy (epochs=3, batch_size=50, lr=0.05)
- evaluate_on_grid: "xy" layout, softmax column 1, ranges and steps as given
    -> test_evaluate_on_grid_gives_class_one_probabilities; hidden: test_evaluate_on_grid_on_larger_grids
- evaluate_on_grid: the defaults
    -> test_evaluate_on_grid_gives_class_one_probabilities (example called with the model only)
- compute_input_gradients: dp1/dx1, dp1/dx2 on the grid
    -> test_compute_input_gradients_match_finite_differences; hidden: test_compute_input_gradients_on_larger_grids
- compute_input_gradients: the defaults
    -> test_compute_input_gradients_match_finite_differences (example called with the model only)
- plot_gradient_field: PNG written
    -> test_plot_gradient_field_writes_a_png
- plot_gradient_field: arrows at the coarse grid's points along (GX, GY); contour at 0.5; contourf of P; points
  coloured by class
    -> test_plot_gradient_field_writes_a_png (inspects the saved figure)
- plot_gradient_field: the gradient grid rebuilt from XX's corners whenever its shape differs (coarser or finer)
    -> test_plot_gradient_field_writes_a_png (second case: gradients on a finer grid than P)
- GuidedReLU: relu forward (x not modified), double-masked backward, strict at 0
    -> test_guided_relu_is_relu_forward_and_double_masked_backward; hidden: test_guided_relu_on_larger_tensors
- replace_relus: nested and reused ReLUs, other modules kept, model returned
    -> test_replace_relus_swaps_every_relu_including_nested_ones
- guided_backprop: score of class_idx, B > 1, nested ReLUs
    -> test_guided_backprop_matches_guided_gradient_of_the_class_score; hidden: test_guided_backprop_on_wider_cnns
- guided_backprop: model left as it was (ReLUs, weights, requires_grad), x left as it was (values, requires_grad)
    -> test_guided_backprop_leaves_the_model_as_it_was
"""
from __future__ import annotations

import math

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, assert_close

from .saliency_support import (ATOL32, EXERCISE, HINTS, RTOL32, X_RANGE, Y_RANGE, build_mlp, check_drawing,
                               check_gradients,
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
    check_training(X, y, out, what, python_float=data_seed == 0)


@weight(1)
def test_train_classifier_uses_tensordataset_dataloader_and_cross_entropy(submission):
    """train_classifier builds a TensorDataset and a shuffling DataLoader with the batch_size given, iterates over
    it, uses nn.CrossEntropyLoss, and takes one optimiser step per mini-batch with the lr given, for the epochs
    given (all three not the defaults)."""
    sub = submission(EXERCISE)
    epochs, batch_size, lr = 3, 50, 0.05
    X, y, counts, what = train_case(sub, probe_train_usage, 1, 1, epochs=epochs, batch_size=batch_size, lr=lr)
    batches = epochs * -(-len(y) // batch_size)
    missing = [(name, hint) for name, hint in (("TensorDataset", "use_dataloader"), ("DataLoader", "use_dataloader"),
                                               ("DataLoader iterated", "use_dataloader"))
               if counts[name] == 0]
    if missing:
        raise Mismatch(f"{what}\n  {', '.join(n for n, _ in missing)}: not used\nHint: {HINTS['use_dataloader']}")
    if counts["CrossEntropyLoss"] < batches:
        raise Mismatch(f"{what}\n  nn.CrossEntropyLoss was called {counts['CrossEntropyLoss']} times for "
                       f"{batches} mini-batches (one loss per mini-batch expected)\nHint: "
                       f"{HINTS['use_cross_entropy']}")
    if any(b != batch_size for b in counts["batch_size"]):
        raise Mismatch(f"{what}\n  the DataLoader was built with batch_size={counts['batch_size']}; "
                       f"batch_size={batch_size} was passed\nHint: {HINTS['hyperparameters_ignored']}")
    if not all(counts["shuffle"]):
        raise Mismatch(f"{what}\n  the DataLoader does not shuffle (its sampler is not a RandomSampler)\n"
                       f"Hint: {HINTS['no_shuffle']}")
    if counts["lr"] and not all(math.isclose(v, lr, rel_tol=1e-6) for v in counts["lr"][:1]):
        raise Mismatch(f"{what}\n  the optimiser's learning rate at its first step is {counts['lr'][0]!r}; lr={lr} "
                       f"was passed\nHint: {HINTS['hyperparameters_ignored']}")
    if counts["steps"] != batches:
        # named only when the count is what the defaults (10 epochs, batches of 32) would give
        per_epoch = -(-len(y) // 32)
        defaults = {epochs * per_epoch, 10 * (batches // epochs), 10 * per_epoch} - {batches}
        hint = ("not_trained" if counts["steps"] == 0 else
                "hyperparameters_ignored" if counts["steps"] in defaults else None)
        hint = f"\nHint: {HINTS[hint]}" if hint else ""
        raise Mismatch(f"{what}\n  the optimiser took {counts['steps']} steps; {epochs} epochs of "
                       f"{batches // epochs} mini-batches of at most {batch_size} points make {batches}" + hint)


@weight(2)
@settings(max_examples=10)
@given(case=grid_cases())
@example(case=({"hidden": 16, "seed": 3}, X_RANGE, Y_RANGE, 20))
@example(case=({"hidden": 4, "seed": 11}, (-1.0, 1.5), (-1.5, 1.5), 7))
@example(case=({"hidden": 6, "seed": 2}, None, None, None))
def test_evaluate_on_grid_gives_class_one_probabilities(submission, case):
    """evaluate_on_grid: the "xy" meshgrid of the two linspaces and softmax(scores)[:, 1] at every point (also
    called with the model only: the defaults (-1.5, 2.5), (-1.0, 1.5), 100)."""
    spec, x_range, y_range, steps = case
    sub = submission(EXERCISE)
    result = sub.run_probe(probe_grid, sub._handle(), spec, x_range, y_range, steps)
    if steps is None:
        x_range, y_range, steps = X_RANGE, Y_RANGE, 100
        what = f"evaluate_on_grid(model) (the defaults: x_range={x_range}, y_range={y_range}, steps={steps}) for "
    else:
        what = f"evaluate_on_grid(model, x_range={x_range}, y_range={y_range}, steps={steps}) for "
    what += describe_mlp(spec)
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
@example(case=({"hidden": 7, "seed": 9}, None, None, None))
def test_compute_input_gradients_match_finite_differences(submission, case):
    """compute_input_gradients: dp1/dx1 and dp1/dx2 on the grid agree with central finite differences (also
    called with the model only: the defaults (-1.5, 2.5), (-1.0, 1.5), 25)."""
    spec, x_range, y_range, steps = case
    sub = submission(EXERCISE)
    result = sub.run_probe(probe_gradients, sub._handle(), spec, x_range, y_range, steps)
    if steps is None:
        x_range, y_range, steps = X_RANGE, Y_RANGE, 25
        what = f"compute_input_gradients(model) (the defaults: x_range={x_range}, y_range={y_range}, steps={steps}) "
    else:
        what = f"compute_input_gradients(model, x_range={x_range}, y_range={y_range}, steps={steps}) "
    what += f"for {describe_mlp(spec)}"
    XX, YY, GX, GY = unpack(result, ("XX", "YY", "GX", "GY"), what)
    check_xy(XX, YY, x_range, y_range, steps, what)
    eXX, eYY = oracle_grid(x_range, y_range, steps)
    check_gradients(GX, GY, mlp_state(spec), eXX, eYY, what)


def _plot_case(sub, X, y, model, x_range, y_range, steps, grad_steps):
    """Draws P on a steps x steps grid and the gradients on a grad_steps x grad_steps grid with the same corners;
    returns the probe's output, the grids and a description."""
    XX, YY = oracle_grid(x_range, y_range, steps)
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], 1).float()
    with torch.no_grad():
        P = torch.softmax(model(grid), 1)[:, 1].reshape(steps, steps)
    cX, cY = oracle_grid(x_range, y_range, grad_steps)
    coarse = torch.stack([cX.reshape(-1), cY.reshape(-1)], 1).float().requires_grad_(True)
    torch.softmax(model(coarse), 1)[:, 1].sum().backward()
    GX, GY = coarse.grad[:, 0].reshape(grad_steps, grad_steps), coarse.grad[:, 1].reshape(grad_steps, grad_steps)
    out = sub.run_probe(probe_plot, sub._handle(), X, y, XX.float(), YY.float(), P, GX, GY)
    what = (f"plot_gradient_field(X, y, XX, YY, P, GX, GY, path) with a {steps}x{steps} grid for P and a "
            f"{grad_steps}x{grad_steps} grid for the gradients, both spanning x1 in [{x_range[0]}, {x_range[1]}] "
            f"and x2 in [{y_range[0]}, {y_range[1]}]")
    return out, XX, YY, GX, GY, what


@weight(1)
def test_plot_gradient_field_writes_a_png(submission):
    """plot_gradient_field writes a PNG that opens, with a sensible size and more than one colour, and draws the
    arrows at the gradient grid's points along (GX, GY), the 0.5 contour, the filled contour of P and the points
    coloured by class; the gradient grid is first coarser than P's grid, then finer (either way its shape differs
    from XX's, so it is rebuilt from XX's corners)."""
    X, y = make_toy_dataset(60, 0.15, 2)
    model = build_mlp({"hidden": 8, "seed": 4})
    sub = submission(EXERCISE)
    for x_range, y_range, steps, grad_steps in ((X_RANGE, Y_RANGE, 30, 10), ((-1.0, 2.0), (-1.5, 1.5), 8, 12)):
        out, XX, YY, GX, GY, what = _plot_case(sub, X, y, model, x_range, y_range, steps, grad_steps)
        check_png(out["data"], what)
        check_drawing(out["drawn"], X, y, XX, YY, GX, GY, what)


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
        # named only when the direct children were replaced and exactly the nested ReLUs were left
        nested_left = all("." in n for n in out["left"]) and set(out["left"]) == {n for n in out["relus"] if "." in n}
        hint = f"\nHint: {HINTS['nested_not_swapped']}" if nested_left else ""
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
                 "output before (the forward pass must not change):", rtol=RTOL32, atol=ATOL32,
                 hint=None if out["relu_forward_ok"] else "forward_not_relu", hints=HINTS)


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
