"""Hidden tests for gradients: deeper and wider inputs, the reference solution as the oracle.

Feedback names the input and the value returned, never the reference's value.
"""
from __future__ import annotations

import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings

from autograder.checks import Mismatch

from ..public.gradients_support import (EXERCISE, ST_ATOL, ST_RTOL, discriminator_variants, expect_array, expect_list,
                                        gan_settings, input_gradient_diagnosis, l1_problems, soft_threshold_diagnosis,
                                        width_one_networks)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=20)
@given(net=width_one_networks(max_layers=12))
def test_input_gradient_on_deeper_networks(submission, reference, net):
    """input_gradient through up to 12 layers."""
    expected = reference(EXERCISE).input_gradient(**net)
    sub = submission(EXERCISE)
    got = sub.input_gradient(**net)
    args = ", ".join(f"{k}={v!r}" for k, v in net.items())
    expect_array(got, expected, f"input_gradient({args})", reveal=False, diagnose=input_gradient_diagnosis(sub, net))


@weight(1)
@visibility("after_due_date")
@settings(max_examples=20)
@given(problem=l1_problems(max_n=30))
def test_soft_threshold_on_longer_vectors(submission, reference, problem):
    """soft_threshold on vectors of up to 30 weights."""
    w_star, H_diag, alpha = problem
    expected = reference(EXERCISE).soft_threshold(w_star, H_diag, alpha)
    sub = submission(EXERCISE)
    got = sub.soft_threshold(w_star, H_diag, alpha)
    expect_array(got, expected, f"soft_threshold(w_star={w_star.tolist()}, H_diag={H_diag.tolist()}, alpha={alpha})",
                 reveal=False, rtol=ST_RTOL, atol=ST_ATOL * (1 + float(np.abs(w_star).max())),
                 diagnose=soft_threshold_diagnosis(sub, w_star, H_diag, alpha))


@weight(1)
@visibility("after_due_date")
@settings(max_examples=10)
@given(s=gan_settings(max_hidden_layers=3, max_width=8, max_batch=8))
def test_discriminator_backward_on_bigger_networks(submission, reference, s):
    """discriminator_backward with up to three hidden layers of up to 8 units."""
    expected = reference(EXERCISE).discriminator_backward(s["Ws"], s["x_real"], s["x_fake"])
    got = submission(EXERCISE).discriminator_backward(s["Ws"], s["x_real"], s["x_fake"])
    what = f"discriminator_backward(Ws, x_real, x_fake) with {s['describe']}"
    if not (isinstance(got, dict) and {"weights", "fake_input"} <= set(got)):
        raise Mismatch(f"{what}\n  expected a dict with keys 'weights' and 'fake_input'")
    variants = lambda: discriminator_variants(s["Ws"], s["x_real"], s["x_fake"])  # noqa: E731
    expect_list(got["weights"], expected["weights"], f"{what}\n  ['weights']",
                lambda: [(h, v["weights"]) for h, v in variants()], reveal=False)
    expect_array(got["fake_input"], expected["fake_input"], f"{what}\n  ['fake_input']",
                 lambda: [(h, v["fake_input"]) for h, v in variants()], reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=10)
@given(s=gan_settings(max_hidden_layers=3, max_width=8, max_batch=8))
def test_generator_backward_on_bigger_networks(submission, reference, s):
    """generator_backward with up to three hidden layers of up to 8 units in each network."""
    expected = reference(EXERCISE).generator_backward(s["Vs"], s["noise"], s["Ws"])
    got = submission(EXERCISE).generator_backward(s["Vs"], s["noise"], s["Ws"])
    expect_list(got, expected, f"generator_backward(Vs, noise, Ws) with {s['describe']}",
                [("generator_sign", [-e for e in expected])], reveal=False)
