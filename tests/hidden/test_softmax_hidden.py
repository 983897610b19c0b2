"""Hidden tests for softmax: bigger batches and rows, float32, the reference solution as the oracle.

Feedback names the input and the value returned, never the reference's value.
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings
from hypothesis import strategies as st

from ..public.softmax_support import (EXERCISE, TEMPERATURES, diagnose_cold, diagnose_softmax, expect_probs, logits,
                                      tensor_repr)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=20)
@given(z=logits(max_n=40, max_batch_dims=3, max_batch=4), T=TEMPERATURES)
def test_softmax_T_on_bigger_batches(submission, reference, z, T):
    """softmax_T on batches of up to three leading axes and rows of up to 40 logits."""
    expected = reference(EXERCISE).softmax_T(z, T)
    sub = submission(EXERCISE)
    got = sub.softmax_T(z, T)
    expect_probs(got, expected, f"softmax_T({tensor_repr(z)}, T={T!r})", diagnose_softmax(got, z, T, sub),
                 reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=20)
@given(z=logits(max_n=40, max_batch_dims=3, max_batch=4), keep64=st.booleans())
def test_softmax_limit_cold_on_bigger_batches(submission, reference, z, keep64):
    """softmax_limit_cold on bigger batches, in float64 and float32."""
    z = z if keep64 else z.to(torch.float32)
    expected = reference(EXERCISE).softmax_limit_cold(z)
    sub = submission(EXERCISE)
    got = sub.softmax_limit_cold(z)
    expect_probs(got, expected, f"softmax_limit_cold({tensor_repr(z)})", diagnose_cold(got, z, sub), reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=15)
@given(z=logits(max_n=12))
def test_softmax_T_tends_to_the_limits(submission, reference, z):
    """softmax_T at T = 1e-8 equals the T -> 0+ limit (the logits are 0.25 apart or tied), and at T = 1e8 is within
    1e-3 of uniform."""
    sub = submission(EXERCISE)
    ref = reference(EXERCISE)
    got = sub.softmax_T(z, 1e-8)
    expect_probs(got, ref.softmax_limit_cold(z), f"softmax_T({tensor_repr(z)}, T=1e-8) vs the T -> 0+ limit",
                 diagnose_softmax(got, z, 1e-8, sub), reveal=False)
    got = sub.softmax_T(z, 1e8)
    expect_probs(got, ref.softmax_limit_hot(z), f"softmax_T({tensor_repr(z)}, T=1e8) vs the T -> oo limit",
                 diagnose_softmax(got, z, 1e8, sub), reveal=False, atol=1e-3)
