"""Public grading tests for exercises/gradients.py.

Part A's expressions are compared with sympy after concrete functions are put in for sigma', its numbers
against hashed answer keys and against autograd on width-1 ReLU networks; Part B against autograd and a
brute-force minimisation; Part C against PyTorch's autograd of the GAN log-likelihood (float64).

Promises of the docstrings and the tests that exercise them (non-default values / starting states):

================================================  ================================================================
promise                                           exercised by
================================================  ================================================================
layer derivatives in w, h, b, sigma_prime (or a   test_layer_derivative_symbolic[plain, skip] (three concrete
sympy derivative of sigma)                        sigma' put in)
values at h = w = 0.1, b = 0 with ReLU            test_layer_derivative_value (hashed keys)
products over L layers, sympy in L                test_product_over_L_layers (L = 1..8 vs autograd)
input_gradient: any L >= 1, ws, bs, h0 of either  test_input_gradient_matches_autograd (w, b, h0 in [-2, 2] by
sign, skip False and True                         eighths), hidden: test_input_gradient_on_deeper_networks (L <= 12)
ReLU'(0) = 0 (a pre-activation of exactly 0)      test_input_gradient_matches_autograd (@examples, plain and skip)
l1_gradient: any shape, sign(0) = 0, alpha >= 0   test_l1_gradient_matches_autograd (1, 2 and 3 axes; zeros in w;
                                                  alpha from 0 to 3)
soft_threshold: H_ii != 1, alpha >= 0, w* of      test_soft_threshold_minimises_the_objective (brute force),
either sign and |w*| below the threshold          hidden: test_soft_threshold_on_longer_vectors (n <= 30)
grad_last_preactivation: n != m, the 1/n and 1/m  test_grad_last_preactivation_matches_autograd
backprop_step / grad_wrt_input: batch > 1,        test_backprop_step_matches_autograd,
non-square W                                      test_grad_wrt_input_matches_autograd
discriminator_backward: K = 1 to 4 layers, n != m test_discriminator_backward_matches_autograd, hidden:
                                                  test_discriminator_backward_on_bigger_networks
generator_backward: gradient of L (not -L), q != k test_generator_backward_matches_autograd, hidden:
                                                  test_generator_backward_on_bigger_networks
updates: ascent for D, descent for G, lr honoured test_update_discriminator_is_gradient_ascent,
(new arrays or in place, both accepted)           test_update_generator_is_gradient_descent (lr in 1e-3 .. 0.1)
Part C in plain NumPy (no torch, no autograd)     test_gan_rule_numpy_only
================================================  ================================================================

Hints name a cause only when the reference with that one change reproduces the output on the failing input
(input_gradient and soft_threshold: also on the probe inputs of gradients_support), or match a hashed wrong answer.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, check_keyed_answer, exceeds, hint_text, is_integer, load_keys
from autograder.rules import ANY_TORCH, check_source, run_without

from .gradients_support import (EXERCISE, GAN_FUNCS, HINTS, RULE_NUMPY, ST_ATOL, TORCH_CALLS, TORCH_NAMES, ST_RTOL, autograd_backprop_step, autograd_discriminator,
                                autograd_generator, autograd_input, autograd_input_gradient, autograd_l1_gradient,
                                autograd_last, backprop_variants, brute_force_minimiser, discriminator_variants,
                                eighths, expect_array, expect_layer_derivative, expect_list, fetch_symbolic,
                                gan_settings, input_gradient_diagnosis, l1_problems, l1_variants, last_variants,
                                rule_settings, seed_network_gradient, soft_threshold_diagnosis,
                                width_one_networks)

pytestmark = pytest.mark.exercise(EXERCISE)


# ---------------------------------------------------------------- Part A
@weight(2)
@pytest.mark.parametrize("skip", [False, True], ids=["plain", "skip"])
def test_layer_derivative_symbolic(submission, skip):
    """dh^(l)/dh^(l-1) as a sympy expression"""
    name = "answer_skip_layer_derivative" if skip else "answer_layer_derivative"
    got = fetch_symbolic(submission(EXERCISE), name)
    expect_layer_derivative(got, skip, f"{name}()")


KEYS = load_keys(EXERCISE, Path(__file__).resolve().parents[2])


def _number(value):
    if isinstance(value, sympy.Basic) and value.is_number:
        return float(value)
    return value


def _validate_number(value):
    if is_integer(value) or isinstance(value, float):
        return None
    return "the answer is a number." + hint_text("not_a_number", HINTS)


@weight(1)
@pytest.mark.parametrize("part", ["answer_layer_derivative_value", "answer_skip_layer_derivative_value"])
def test_layer_derivative_value(submission, part):
    """The derivative at h = 0.1, w = 0.1, b = 0 with ReLU"""
    got = _number(getattr(submission(EXERCISE), part)())
    check_keyed_answer(got, KEYS, EXERCISE, part, f"{part}()", hints=HINTS, validate=_validate_number)


def _equals_plain_product(got, n: int) -> bool:
    try:
        value = float(got.subs({s: n for s in got.free_symbols}))
    except (TypeError, ValueError):
        return False
    want = seed_network_gradient(n, False)
    return not exceeds(abs(value - want), 1e-9 * abs(want))


@weight(1)
@pytest.mark.parametrize("skip", [False, True], ids=["plain", "skip"])
def test_product_over_L_layers(submission, skip):
    """dh^(L)/dh^(0) over L layers (w = 0.1, b = 0, ReLU, h^(0) = 0.1) vs autograd for L = 1..8"""
    name = "answer_product_skip" if skip else "answer_product_plain"
    got = getattr(submission(EXERCISE), name)()
    if not isinstance(got, sympy.Basic):
        raise Mismatch(f"{name}()\n  got: {got!r}\n  expected a sympy expression in L")
    names = {s.name for s in got.free_symbols}
    if not names <= {"L"}:
        raise Mismatch(f"{name}()\n  got: {got}\n  uses {sorted(names - {'L'})}" + hint_text("symbol_names", HINTS))
    for n in range(1, 9):
        want = seed_network_gradient(n, skip)
        try:
            value = float(got.subs({s: n for s in got.free_symbols}))
        except (TypeError, ValueError):
            value = None
        if value is None or exceeds(abs(value - want), 1e-9 * abs(want)):
            hint = None
            if value is not None and skip and all(_equals_plain_product(got, k) for k in range(1, 9)):
                hint = "skip_identity_missing"   # the answer IS the plain product at every L checked
            raise Mismatch(f"{name}() at L = {n}\n  got:      {value!r} (from {got})\n  expected: {want!r} "
                           f"(autograd through {n} {'skip' if skip else 'plain'} layers)" + hint_text(hint, HINTS))


@weight(2)
@settings(max_examples=15)
@given(net=width_one_networks())
@example(net=dict(ws=[0.1] * 4, bs=[0.0] * 4, h0=0.1, skip=True))
@example(net=dict(ws=[0.5, -1.0, 2.0], bs=[0.25, 0.5, -0.125], h0=1.0, skip=False))
@example(net=dict(ws=[1.5, 0.5, 2.0], bs=[0.25, -0.5, 0.125], h0=0.5, skip=False))
@example(net=dict(ws=[2.0, 0.5], bs=[-1.0, 0.25], h0=0.5, skip=True))
def test_input_gradient_matches_autograd(submission, net):
    """input_gradient equals autograd's dh^(L)/dh^(0) on width-1 ReLU networks (pre-activations of exactly 0
    included: ReLU'(0) = 0)"""
    sub = submission(EXERCISE)
    got = sub.input_gradient(**net)
    expected = autograd_input_gradient(**net)
    args = ", ".join(f"{k}={v!r}" for k, v in net.items())
    expect_array(got, expected, f"input_gradient({args})\n  compared with torch autograd",
                 diagnose=input_gradient_diagnosis(sub, net))


# ---------------------------------------------------------------- Part B
@weight(2)
@settings(max_examples=20)
@given(data=st.data(), n=st.integers(1, 6), alpha=eighths(0, 3), shape=st.sampled_from(["1d", "2d", "3d"]))
@example(data=None, n=3, alpha=0.5, shape="1d")
@example(data=None, n=3, alpha=0.5, shape="2d")
def test_l1_gradient_matches_autograd(submission, data, n, alpha, shape):
    """l1_gradient equals autograd of <grad_J, w> + alpha ||w||_1 (zeros in w included; arrays of 1, 2 or 3 axes)"""
    dims = {"1d": (n,), "2d": (2, n), "3d": (n, 2, 1)}[shape]
    size = int(np.prod(dims))
    if data is None:
        grad_J, w = np.array([0.5, -1.0, 2.0] * (size // 3)), np.array([0.0, -3.0, 1.5] * (size // 3))
    else:
        grad_J = np.array(data.draw(st.lists(eighths(-4, 4), min_size=size, max_size=size), label="grad_J"))
        w = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.0, -2.5, -0.125, 0.75, 3.0]), min_size=size,
                                        max_size=size), label="w"))
    grad_J, w = grad_J.reshape(dims), w.reshape(dims)
    got = submission(EXERCISE).l1_gradient(grad_J, w, alpha)
    expect_array(got, autograd_l1_gradient(grad_J, w, alpha),
                 f"l1_gradient(grad_J={grad_J.tolist()}, w={w.tolist()}, alpha={alpha})\n  compared with torch autograd",
                 lambda: l1_variants(grad_J, w, alpha))


@weight(2)
@settings(max_examples=25)
@given(problem=l1_problems())
@example(problem=(np.array([3.0, -3.0, 0.5, -0.25]), np.array([2.0, 2.0, 0.5, 8.0]), 1.0))
def test_soft_threshold_minimises_the_objective(submission, problem):
    """soft_threshold equals the brute-force minimiser of 1/2 (w - w*)^T H (w - w*) + alpha ||w||_1"""
    w_star, H_diag, alpha = problem
    sub = submission(EXERCISE)
    got = sub.soft_threshold(w_star, H_diag, alpha)
    expected = brute_force_minimiser(w_star, H_diag, alpha)
    expect_array(got, expected, f"soft_threshold(w_star={w_star.tolist()}, H_diag={H_diag.tolist()}, alpha={alpha})"
                 "\n  compared with a brute-force minimisation", rtol=ST_RTOL,
                 atol=ST_ATOL * (1 + float(np.abs(w_star).max())),
                 diagnose=soft_threshold_diagnosis(sub, w_star, H_diag, alpha))


# ---------------------------------------------------------------- Part C
@weight(2)
@settings(max_examples=15)
@given(d_real=st.lists(st.floats(0.01, 0.99), min_size=1, max_size=5),
       d_fake=st.lists(st.floats(0.01, 0.99), min_size=1, max_size=5))
@example(d_real=[0.9, 0.6], d_fake=[0.2, 0.7, 0.4])
def test_grad_last_preactivation_matches_autograd(submission, d_real, d_fake):
    """grad_last_preactivation equals autograd of L with respect to z^K"""
    d_real, d_fake = np.array(d_real), np.array(d_fake)
    got = submission(EXERCISE).grad_last_preactivation(d_real, d_fake)
    what = f"grad_last_preactivation(d_real={d_real.tolist()}, d_fake={d_fake.tolist()})"
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise Mismatch(f"{what}\n  expected a pair (delta_real, delta_fake)\n  got: {got!r}")
    exp_real, exp_fake = autograd_last(d_real, d_fake)
    variants = last_variants(d_real, d_fake)
    expect_array(got[0], exp_real, f"{what}[0] (delta_real)\n  compared with torch autograd",
                 [(h, v[0]) for h, v in variants])
    expect_array(got[1], exp_fake, f"{what}[1] (delta_fake)\n  compared with torch autograd",
                 [(h, v[1]) for h, v in variants])


@st.composite
def step_shapes(draw):
    batch, d_l, d_next = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1), label="seed"))
    return rng.normal(size=(batch, d_next)), rng.normal(size=(d_next, d_l)), rng.normal(size=(batch, d_l))


@weight(2)
@settings(max_examples=15)
@given(arrays=step_shapes())
@example(arrays=(np.array([[1.0, -2.0]]), np.array([[0.5, 1.0], [-1.0, 2.0]]), np.array([[0.3, -0.7]])))
def test_backprop_step_matches_autograd(submission, arrays):
    """backprop_step equals autograd of <dL/dz^{l+1}, tanh(z^l) @ W^{l+1}.T> with respect to z^l"""
    delta_next, W_next, z = arrays
    got = submission(EXERCISE).backprop_step(delta_next, W_next, z)
    expect_array(got, autograd_backprop_step(delta_next, W_next, z),
                 f"backprop_step(delta_next={delta_next.tolist()}, W_next={W_next.tolist()}, z={z.tolist()})\n"
                 "  compared with torch autograd", lambda: backprop_variants(delta_next, W_next, z))


@weight(1)
@settings(max_examples=10)
@given(arrays=step_shapes())
def test_grad_wrt_input_matches_autograd(submission, arrays):
    """grad_wrt_input equals autograd of <dL/dz^1, a^0 @ W^1.T> with respect to a^0"""
    delta, W, _ = arrays
    got = submission(EXERCISE).grad_wrt_input(delta, W)
    variants = [("weights_not_transposed", delta @ W.T)] if W.shape[0] == W.shape[1] else []
    expect_array(got, autograd_input(delta, W, delta.shape[0]),
                 f"grad_wrt_input(delta_first={delta.tolist()}, W_first={W.tolist()})\n  compared with torch autograd",
                 variants)


@weight(2)
@settings(max_examples=12)
@given(s=gan_settings())
def test_discriminator_backward_matches_autograd(submission, s):
    """discriminator_backward: dL/dW for every layer and dL/dG(Z), vs autograd"""
    got = submission(EXERCISE).discriminator_backward(s["Ws"], s["x_real"], s["x_fake"])
    expected = autograd_discriminator(s["Ws"], s["x_real"], s["x_fake"])
    what = f"discriminator_backward(Ws, x_real, x_fake) with {s['describe']}"
    if not (isinstance(got, dict) and {"weights", "fake_input"} <= set(got)):
        raise Mismatch(f"{what}\n  expected a dict with keys 'weights' and 'fake_input'\n  got: {got!r}"[:2000])
    variants = lambda: discriminator_variants(s["Ws"], s["x_real"], s["x_fake"])  # noqa: E731
    expect_list(got["weights"], expected["weights"], f"{what}\n  ['weights'], compared with torch autograd",
                lambda: [(h, v["weights"]) for h, v in variants()])
    expect_array(got["fake_input"], expected["fake_input"], f"{what}\n  ['fake_input'], compared with torch autograd",
                 lambda: [(h, v["fake_input"]) for h, v in variants()])


@weight(2)
@settings(max_examples=12)
@given(s=gan_settings())
def test_generator_backward_matches_autograd(submission, s):
    """generator_backward: dL/dV for every generator layer, vs autograd"""
    got = submission(EXERCISE).generator_backward(s["Vs"], s["noise"], s["Ws"])
    expected = autograd_generator(s["Vs"], s["noise"], s["Ws"])
    expect_list(got, expected, f"generator_backward(Vs, noise, Ws) with {s['describe']}\n  compared with torch autograd",
                [("generator_sign", [-e for e in expected])])


@weight(1)
@settings(max_examples=8)
@given(s=gan_settings(), lr=st.sampled_from([1e-3, 0.01, 0.1]))
def test_update_discriminator_is_gradient_ascent(submission, s, lr):
    """update_discriminator: one plain gradient-ascent step (gradients from autograd)"""
    grads = autograd_discriminator(s["Ws"], s["x_real"], s["x_fake"])["weights"]
    got = submission(EXERCISE).update_discriminator(s["Ws"], grads, lr)
    expected = [W + lr * g for W, g in zip(s["Ws"], grads)]
    expect_list(got, expected, f"update_discriminator(Ws, grads, lr={lr}) with {s['describe']}, grads from autograd",
                [("d_descent", [W - lr * g for W, g in zip(s["Ws"], grads)])])


@weight(1)
@settings(max_examples=8)
@given(s=gan_settings(), lr=st.sampled_from([1e-3, 0.01, 0.1]))
def test_update_generator_is_gradient_descent(submission, s, lr):
    """update_generator: one plain gradient-descent step (gradients from autograd)"""
    grads = autograd_generator(s["Vs"], s["noise"], s["Ws"])
    got = submission(EXERCISE).update_generator(s["Vs"], grads, lr)
    expected = [V - lr * g for V, g in zip(s["Vs"], grads)]
    expect_list(got, expected, f"update_generator(Vs, grads, lr={lr}) with {s['describe']}, grads from autograd",
                [("g_ascent", [V + lr * g for V, g in zip(s["Vs"], grads)])])


@weight(1)
def test_gan_rule_numpy_only(submission):
    """Rule: Part C uses plain NumPy (no torch, no autograd), checked on discriminator_backward and
    generator_backward"""
    sub = submission(EXERCISE)
    s = rule_settings()
    got = run_without(sub, TORCH_CALLS, RULE_NUMPY, sub, "discriminator_backward", s["Ws"], s["x_real"], s["x_fake"],
                      ops=[ANY_TORCH])
    got_g = run_without(sub, TORCH_CALLS, RULE_NUMPY, sub, "generator_backward", s["Vs"], s["noise"], s["Ws"],
                        ops=[ANY_TORCH])
    check_source(sub, TORCH_NAMES, RULE_NUMPY, roots=GAN_FUNCS)
    what = f"with torch switched off, on {s['describe']}\n  (the rule is credited only when the gradients are right)"
    expected = autograd_discriminator(s["Ws"], s["x_real"], s["x_fake"])
    if not (isinstance(got, dict) and {"weights", "fake_input"} <= set(got)):
        raise Mismatch(f"discriminator_backward {what}\n  expected a dict with keys 'weights' and 'fake_input'\n"
                       f"  got: {got!r}"[:2000])
    expect_list(got["weights"], expected["weights"], f"discriminator_backward {what}\n  ['weights']")
    expect_array(got["fake_input"], expected["fake_input"], f"discriminator_backward {what}\n  ['fake_input']")
    expect_list(got_g, autograd_generator(s["Vs"], s["noise"], s["Ws"]), f"generator_backward {what}")
