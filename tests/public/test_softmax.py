"""Public grading tests for exercises/softmax.py.

Part A against torch.softmax(z / T) in float64 (including T from 1e-8 to 1e8 and logits up to 1e4),
Part B against that softmax at T = 1e-300 and 1e300 (after subtracting the maximum), Part C's
numbers against hashed answer keys and its expressions against the limits evaluated with mpmath.

Promises of the docstrings and the tests that exercise them (non-default values / starting states):

====================================================  ============================================================
promise                                               exercised by
====================================================  ============================================================
softmax_T over the LAST axis, batches (..., n)         test_softmax_T_matches_torch, _is_stable_..., hidden:
                                                      test_softmax_T_on_bigger_batches (up to 3 leading axes)
T divides (moderate T, not only T = 1)                test_softmax_T_matches_torch (T in [0.05, 50])
1e-8 <= T <= 1e8 and |z| <= 1e4, finite output        test_softmax_T_is_stable_for_extreme_T_and_logits, hidden:
                                                      test_softmax_T_tends_to_the_limits
each row shifted by ITS OWN maximum                   _is_stable_... (rows of very different size), rule test
float64 precision kept (no float32 on the way)        _is_stable_... (@example with |z| ~ 1e4 at T = 0.3)
float32 in -> float32 out, extreme T                  test_softmax_T_float32 (T = 2^-26 .. 2^26, |z| up to 1e4)
z left unchanged (no in-place ops)                    test_softmax_T_leaves_z_unchanged (float64 and float32)
no built-in softmax / log_softmax / logsumexp         test_softmax_T_rule_no_builtin_softmax
cold limit: uniform over EXACT ties, batches          test_softmax_limit_cold, hidden: ..._cold_on_bigger_batches
cold limit: near ties are not ties                    test_softmax_limit_cold_near_ties (gaps 2^-44 .. 2^-9)
cold limit keeps float32 / float64                    test_softmax_limit_cold (float32 @example), near_ties, hidden
hot limit, batches, float32 and float64               test_softmax_limit_hot (keep64 drawn)
Part C tuples (sympy numbers, floats, Fractions)      test_limit_answer (hashed keys)
Part C rates: expressions in a, b / a, d, no T        test_answer_hot_rate, test_answer_cold_rate (5 points each,
                                                      a != 0 so a stray a is seen)
====================================================  ============================================================

Hints name a cause only when the reference with that one change reproduces the output on the failing input and
on the probe inputs of softmax_support (SOFTMAX_PROBES, COLD_PROBES, HOT_PROBES), or match a hashed wrong answer.
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

from autograder.checks import Mismatch, hint_text

from .softmax_support import (EXERCISE, FORBIDDEN, HINTS, RULE, TEMPERATURES, diagnose_cold, diagnose_hot,
                              diagnose_softmax, expect_probs, expect_rate, limit_cold, limit_hot, logits,
                              near_tie_logits, normalise_numbers, probe_z_unchanged, rate_cold_numeric,
                              rate_hot_numeric, tensor_repr, torch_softmax_T, validate_numbers)

pytestmark = pytest.mark.exercise(EXERCISE)

f64 = torch.float64


def check_softmax(sub, z: torch.Tensor, T: float, reveal: bool = True, expected=None) -> None:
    got = sub.softmax_T(z, T)
    expected = torch_softmax_T(z, T) if expected is None else expected
    expect_probs(got, expected, f"softmax_T({tensor_repr(z)}, T={T!r})\n  compared with torch.softmax(z / T, dim=-1)",
                 diagnose_softmax(got, z, T, sub), reveal=reveal)


# ---------------------------------------------------------------- Part A
@weight(2)
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
@example(z=torch.tensor([[1e4, 1e4 - 0.25, 9999.5], [-1e4, -1e4 + 0.5, -1e4]], dtype=f64), T=0.3)
def test_softmax_T_is_stable_for_extreme_T_and_logits(submission, z, T):
    """softmax_T stays finite and right for 1e-8 <= T <= 1e8 and |z| <= 1e4 (ties included)."""
    check_softmax(submission(EXERCISE), z, T)


@weight(1)
@settings(max_examples=10)
@given(z=st.one_of(logits(max_abs=8, max_batch_dims=2), logits(max_abs=1e4)), k=st.integers(-26, 26))
@example(z=torch.tensor([[0.5, -1.0], [2.0, 2.0]], dtype=f64), k=0)
@example(z=torch.tensor([[1e4, -1e4, 9999.75], [-1e4, -1e4, -9999.75]], dtype=f64), k=-26)
@example(z=torch.tensor([1e4, -1e4, 0.25], dtype=f64), k=26)
def test_softmax_T_float32(submission, z, k):
    """softmax_T keeps float32, from T = 2^-26 to 2^26 (T a power of two, so z / T is exact)."""
    check_softmax(submission(EXERCISE), z.to(torch.float32), 2.0 ** k)


@weight(1)
def test_softmax_T_rule_no_builtin_softmax(submission):
    """Rule: softmax_T uses no built-in softmax, log_softmax or logsumexp"""
    sub = submission(EXERCISE)
    z = torch.tensor([[1e4, -3.0, 1e4], [0.25, 1.0, -2.0]], dtype=f64)
    got = run_without(sub, FORBIDDEN, RULE, sub, "softmax_T", z, 0.5)
    expect_probs(got, torch_softmax_T(z, 0.5), f"softmax_T({tensor_repr(z)}, T=0.5) with the built-in softmax "
                 "switched off\n  (the rule is credited only when the output is right) compared with torch.softmax:",
                 diagnose_softmax(got, z, 0.5, sub))


# ---------------------------------------------------------------- Part B
@weight(2)
@settings(max_examples=25)
@given(z=logits(max_abs=1e4))
@example(z=torch.tensor([2.0, 5.0, 5.0, -1.0], dtype=f64))
@example(z=torch.tensor([[1.0, 1.0, 1.0], [0.0, 3.0, 3.0]], dtype=f64))
@example(z=torch.tensor([[1e4, -1e4, 1e4], [0.5, 0.25, 0.5]], dtype=torch.float32))
def test_softmax_limit_cold(submission, z):
    """softmax_limit_cold: the T -> 0+ limit (uniform over the tied maxima)."""
    sub = submission(EXERCISE)
    got = sub.softmax_limit_cold(z)
    expect_probs(got, limit_cold(z), f"softmax_limit_cold({tensor_repr(z)})\n  compared with the softmax at "
                 "T = 1e-300", diagnose_cold(got, z, sub))


@weight(1)
@settings(max_examples=10)
@given(z=logits(max_abs=100), keep64=st.booleans())
@example(z=torch.tensor([2.0, 5.0, 5.0, -1.0], dtype=f64), keep64=True)
@example(z=torch.tensor([[2.0, 5.0, 5.0], [-1.0, 0.5, 0.0]], dtype=f64), keep64=False)
def test_softmax_limit_hot(submission, z, keep64):
    """softmax_limit_hot: the T -> oo limit (float64 and float32)."""
    z = z if keep64 else z.to(torch.float32)
    sub = submission(EXERCISE)
    got = sub.softmax_limit_hot(z)
    expect_probs(got, limit_hot(z), f"softmax_limit_hot({tensor_repr(z)})\n  compared with the softmax at T = 1e300",
                 diagnose_hot(got, z, sub))


@weight(1)
@settings(max_examples=10)
@given(z=near_tie_logits())
@example(z=torch.tensor([1.0, 1.0 + 2.0 ** -30, 0.5], dtype=f64))
@example(z=torch.tensor([[1.0, 1.0 + 2.0 ** -44, 0.5], [-3.0, -3.0 - 2.0 ** -44, -3.0]], dtype=f64))
@example(z=torch.tensor([[1e4, 1e4 - 2.0 ** -9, 1e4], [0.0, -2.0 ** -9, 2.0 ** -9]], dtype=torch.float32))
def test_softmax_limit_cold_near_ties(submission, z):
    """softmax_limit_cold when logits differ by tiny amounts: only exact ties share the limit (float64, float32)."""
    sub = submission(EXERCISE)
    got = sub.softmax_limit_cold(z)
    expect_probs(got, limit_cold(z), f"softmax_limit_cold({tensor_repr(z)})\n  compared with the softmax at "
                 "T = 1e-300", diagnose_cold(got, z, sub))


@weight(1)
def test_softmax_T_leaves_z_unchanged(submission):
    """softmax_T returns a new tensor and leaves the logits it is given unchanged (float64 and float32)"""
    sub = submission(EXERCISE)
    z64 = torch.tensor([[1e4, -3.0, 1e4], [0.25, 1.0, -2.0]], dtype=torch.float64)
    for z, T in ((z64, 0.5), (z64, 1e-8), (z64.to(torch.float32), 0.5)):
        out = sub.run_probe(probe_z_unchanged, sub._handle(), z, T)
        if out["changed"]:
            raise Mismatch(f"softmax_T({tensor_repr(z)}, T={T!r})\n  after the call, the tensor passed as z holds "
                           "other values: your function modified its input in place" + hint_text("input_modified",
                                                                                                   HINTS))
        expect_probs(out["result"], torch_softmax_T(z, T), f"softmax_T({tensor_repr(z)}, T={T!r})\n  compared with "
                     "torch.softmax(z / T, dim=-1)", diagnose_softmax(out["result"], z, T, sub))


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

