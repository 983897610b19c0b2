"""Public grading tests for exercises/softmax.py.

Part A against torch.softmax(z / T) in float64 (including T from 1e-8 to 1e8 and logits up to 1e4),
Part B against that softmax at T = 1e-300 and 1e300 (after subtracting the maximum), Part C's
numbers against hashed answer keys and its expressions against the limits evaluated with mpmath.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import check_keyed_answer, load_keys
from autograder.rules import run_without

from .softmax_support import (EXERCISE, FORBIDDEN, HINTS, RULE, TEMPERATURES, diagnose_cold, diagnose_hot,
                              diagnose_softmax, expect_probs, expect_rate, limit_cold, limit_hot, logits,
                              normalise_numbers, rate_cold_numeric, rate_hot_numeric, tensor_repr,
                              torch_softmax_T, validate_numbers)

pytestmark = pytest.mark.exercise(EXERCISE)

f64 = torch.float64


def check_softmax(sub, z: torch.Tensor, T: float, reveal: bool = True, expected=None) -> None:
    got = sub.softmax_T(z, T)
    expected = torch_softmax_T(z, T) if expected is None else expected
    expect_probs(got, expected, f"softmax_T({tensor_repr(z)}, T={T!r})\n  compared with torch.softmax(z / T, dim=-1)",
                 diagnose_softmax(got, z, T), reveal=reveal)


# ---------------------------------------------------------------- Part A
@weight(3)
@settings(max_examples=25)
@given(z=logits(max_abs=20), T=st.floats(0.05, 50.0))
@example(z=torch.tensor([1.0, 2.0, 3.0], dtype=f64), T=1.0)
@example(z=torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]], dtype=f64), T=2.0)
def test_softmax_T_matches_torch(submission, z, T):
    """softmax_T agrees with torch.softmax(z / T) (moderate logits and temperatures, batches)."""
    check_softmax(submission(EXERCISE), z, T)


@weight(3)
@settings(max_examples=25)
@given(z=logits(), T=TEMPERATURES)
@example(z=torch.tensor([1e4, -1e4, 1e4], dtype=f64), T=1e-8)
@example(z=torch.tensor([-1e4, -1e4 + 1, -9999.75], dtype=f64), T=1e-8)
@example(z=torch.tensor([[1e4, 0.0, -1e4], [3.0, 3.0, 3.0]], dtype=f64), T=1e8)
@example(z=torch.tensor([1e4, 1e4 - 0.25], dtype=f64), T=1e-3)
def test_softmax_T_is_stable_for_extreme_T_and_logits(submission, z, T):
    """softmax_T stays finite and right for 1e-8 <= T <= 1e8 and |z| <= 1e4 (ties included)."""
    check_softmax(submission(EXERCISE), z, T)


@weight(1)
@settings(max_examples=10)
@given(z=logits(max_abs=8, max_batch_dims=2), k=st.integers(-1, 2))
@example(z=torch.tensor([[0.5, -1.0], [2.0, 2.0]], dtype=f64), k=0)
def test_softmax_T_float32(submission, z, k):
    """softmax_T keeps float32 (T a power of two, so z / T is exact)."""
    check_softmax(submission(EXERCISE), z.to(torch.float32), 2.0 ** k)


@weight(1)
def test_softmax_T_rule_no_builtin_softmax(submission):
    """Rule: softmax_T uses no built-in softmax, log_softmax or logsumexp"""
    sub = submission(EXERCISE)
    z = torch.tensor([[1e4, -3.0, 1e4], [0.25, 1.0, -2.0]], dtype=f64)
    got = run_without(sub, FORBIDDEN, RULE, sub, "softmax_T", z, 0.5)
    expect_probs(got, torch_softmax_T(z, 0.5), f"softmax_T({tensor_repr(z)}, T=0.5) with the built-in softmax "
                 "switched off\n  (the rule is credited only when the output is right) compared with torch.softmax:",
                 diagnose_softmax(got, z, 0.5))


# ---------------------------------------------------------------- Part B
@weight(2)
@settings(max_examples=25)
@given(z=logits(max_abs=1e4))
@example(z=torch.tensor([2.0, 5.0, 5.0, -1.0], dtype=f64))
@example(z=torch.tensor([[1.0, 1.0, 1.0], [0.0, 3.0, 3.0]], dtype=f64))
def test_softmax_limit_cold(submission, z):
    """softmax_limit_cold: the T -> 0+ limit (uniform over the tied maxima)."""
    got = submission(EXERCISE).softmax_limit_cold(z)
    expect_probs(got, limit_cold(z), f"softmax_limit_cold({tensor_repr(z)})\n  compared with the softmax at "
                 "T = 1e-300", diagnose_cold(got, z))


@weight(1)
@settings(max_examples=10)
@given(z=logits(max_abs=100))
@example(z=torch.tensor([2.0, 5.0, 5.0, -1.0], dtype=f64))
def test_softmax_limit_hot(submission, z):
    """softmax_limit_hot: the T -> oo limit."""
    got = submission(EXERCISE).softmax_limit_hot(z)
    expect_probs(got, limit_hot(z), f"softmax_limit_hot({tensor_repr(z)})\n  compared with the softmax at T = 1e300",
                 diagnose_hot(got, z))


# ---------------------------------------------------------------- Part C
KEYS = load_keys(EXERCISE, Path(__file__).resolve().parents[2])
KEYED = {"answer_cold_limit_pair": 2, "answer_cold_limit_tie": 3, "answer_hot_limit": 3}


@weight(1)
@pytest.mark.parametrize("part", sorted(KEYED))
def test_limit_answer(submission, part):
    """Limit of a symbolic softmax"""
    got = normalise_numbers(getattr(submission(EXERCISE), part)())
    check_keyed_answer(got, KEYS, EXERCISE, part, f"{part}()", hints=HINTS, validate=validate_numbers(KEYED[part]))


@weight(1)
def test_answer_hot_rate(submission):
    """lim T -> oo of T (p_1(T) - 1/2) for z = (a, b)"""
    got = submission(EXERCISE).answer_hot_rate()
    expect_rate(got, "answer_hot_rate()", rate_hot_numeric, ("a", "b"))


@weight(1)
def test_answer_cold_rate(submission):
    """lim T -> 0+ of -T log p_2(T) for z = (a + d, a)"""
    got = submission(EXERCISE).answer_cold_rate()
    expect_rate(got, "answer_cold_rate()", rate_cold_numeric, ("a", "d"))

