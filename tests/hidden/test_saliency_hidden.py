"""Hidden tests for saliency: wider grids, models and data, the reference solution as the oracle.

Feedback names the input and what was wrong, never the reference's values.
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings
from hypothesis import strategies as st

from ..public.saliency_support import (EXERCISE, RTOL32, ATOL32, build_cnn, build_mlp, check_guided,
                                       check_guided_relu, check_values, check_xy, cnn_cases, describe_cnn,
                                       describe_mlp, gradient_tolerance, gradient_variants, grid_cases, make_image,
                                       mlp_state, oracle_grid, p_variants, probe_gradients, probe_grid,
                                       probe_guided, probe_guided_relu, probe_train, check_training,
                                       train_case, unpack)

pytestmark = pytest.mark.exercise(EXERCISE)


def _as64(t):
    return torch.as_tensor(t).detach().double()


@weight(1)
@visibility("after_due_date")
@settings(max_examples=6)
@given(case=grid_cases(max_hidden=32, max_steps=60))
def test_evaluate_on_grid_on_larger_grids(submission, reference, case):
    """evaluate_on_grid with up to 60 x 60 points and 32 hidden units, against the reference."""
    spec, x_range, y_range, steps = case
    sub = submission(EXERCISE)
    result = sub.run_probe(probe_grid, sub._handle(), spec, x_range, y_range, steps)
    what = f"evaluate_on_grid(model, x_range={x_range}, y_range={y_range}, steps={steps}) for {describe_mlp(spec)}"
    XX, YY, P = unpack(result, ("XX", "YY", "P"), what)
    check_xy(XX, YY, x_range, y_range, steps, what, reveal=False)
    _, _, ref_P = reference(EXERCISE).evaluate_on_grid(build_mlp(spec), x_range, y_range, steps)
    eXX, eYY = oracle_grid(x_range, y_range, steps)
    _, variants = p_variants(mlp_state(spec), eXX, eYY)
    check_values(P, _as64(ref_P), f"{what}: P", variants, RTOL32, ATOL32, reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=6)
@given(case=grid_cases(max_hidden=32, max_steps=40))
def test_compute_input_gradients_on_larger_grids(submission, reference, case):
    """compute_input_gradients with up to 40 x 40 points and 32 hidden units, against the reference."""
    spec, x_range, y_range, steps = case
    sub = submission(EXERCISE)
    result = sub.run_probe(probe_gradients, sub._handle(), spec, x_range, y_range, steps)
    what = (f"compute_input_gradients(model, x_range={x_range}, y_range={y_range}, steps={steps}) for "
            f"{describe_mlp(spec)}")
    XX, YY, GX, GY = unpack(result, ("XX", "YY", "GX", "GY"), what)
    check_xy(XX, YY, x_range, y_range, steps, what, reveal=False)
    _, _, rGX, rGY = reference(EXERCISE).compute_input_gradients(build_mlp(spec), x_range, y_range, steps)
    rGX, rGY = _as64(rGX), _as64(rGY)
    rtol, atol = gradient_tolerance(torch.stack([rGX, rGY]))
    eXX, eYY = oracle_grid(x_range, y_range, steps)
    variants = gradient_variants(mlp_state(spec), eXX, eYY)
    for name, got, expected in (("GX", GX, rGX), ("GY", GY, rGY)):
        check_values(got, expected, f"{what}: {name}", {k: v[name] for k, v in variants.items()}, rtol, atol,
                     reveal=False)


@weight(1)
@visibility("after_due_date")
@pytest.mark.parametrize("data_seed,init_seed,n,noise,hidden,batch_size", [(11, 5, 300, 0.2, 8, 50)])
def test_train_classifier_on_other_data(submission, data_seed, init_seed, n, noise, hidden, batch_size):
    """train_classifier on a larger, noisier toy set with another width and batch size."""
    sub = submission(EXERCISE)
    X, y, out, what = train_case(sub, probe_train, data_seed, init_seed, epochs=15, n=n, noise=noise, hidden=hidden,
                             batch_size=batch_size, lr=0.02)
    check_training(X, y, out, what, reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=8)
@given(shape=st.lists(st.integers(1, 8), min_size=2, max_size=4), seed=st.integers(0, 2**31 - 1),
       zeros=st.floats(0.0, 0.5))
def test_guided_relu_on_larger_tensors(submission, reference, shape, seed, zeros):
    """GuidedReLU on 2-4 dimensional tensors with many exact zeros in x and in the upstream gradient."""
    g = torch.Generator().manual_seed(seed)
    x, grad_out = torch.randn(shape, generator=g), torch.randn(shape, generator=g)
    x = torch.where(torch.rand(shape, generator=g) < zeros, torch.zeros(shape), x)
    grad_out = torch.where(torch.rand(shape, generator=g) < zeros, torch.zeros(shape), grad_out)
    sub = submission(EXERCISE)
    got = sub.run_probe(probe_guided_relu, sub._handle(), x, grad_out)
    expected = probe_guided_relu(reference(EXERCISE), x, grad_out)
    assert torch.equal(expected["grad"], grad_out * (x > 0) * (grad_out > 0))  # the reference itself
    check_guided_relu(got, x, grad_out, f"GuidedReLU.apply(x) for x of shape {tuple(shape)} (seed {seed}, "
                      f"{zeros:.0%} zeros)", reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=6)
@given(case=cnn_cases(max_batch=3, max_width=8, max_classes=10, sides=(6, 16)))
def test_guided_backprop_on_wider_cnns(submission, reference, case):
    """guided_backprop on wider CNNs and larger images, against the reference."""
    spec, inputs, class_idx = case
    x = make_image(spec, inputs)
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_guided, sub._handle(), spec, x, class_idx)
    expected = reference(EXERCISE).guided_backprop(build_cnn(spec), x, class_idx)
    check_guided(out, f"guided_backprop(model, x, class_idx={class_idx}) for a {describe_cnn(spec, x)}",
                 reveal=False, expected=expected)
