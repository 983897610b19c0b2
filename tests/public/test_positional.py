"""Public grading tests for exercises/positional.py.

Part A is compared with the formula of the exercise text (evaluated here in float64) on sizes
hypothesis draws, and checked for the relative-position property; Part B's sympy answers are
compared with expressions that sympy builds here from the definitions (matrix products of the
encodings), with simplification and at random points, never shown.

Promises of the exercise text and the tests that exercise each with non-default values:

| promise | tests |
| --- | --- |
| row p = PE(p): sin in column 2k, cos in 2k + 1, omega_k = 10000**(-2k/d), positions from 0, shape (max_len, d_model); max_len 1..128, d_model 2..128 | test_encoding_matches_the_formula; hidden: test_encoding_on_wider_sizes |
| a torch tensor or numpy array, float32 or float64 | the same tests (other dtypes of tensors fail) |
| rows of norm d/2, dot products in p - q only | test_encoding_dot_products_depend_on_the_offset_only |
| pair norm: the value, in simplified form | test_answer_pair_norm; hidden: test_identity_at_wide_random_points[answer_pair_norm] |
| pair dot product: the value, written in p - q | test_answer_pair_dot; hidden: test_identity_at_wide_random_points[answer_pair_dot] |
| full dot product: a Sum over k with limits in d (any form of the limits), its value at d = 2..8 and 32, in p - q | test_answer_full_dot; hidden: test_full_dot_equals_the_inner_products_of_the_encoding |
| rotation score: the value with 1/sqrt(d_k), in p - q | test_answer_rotation_score; hidden: test_identity_at_wide_random_points[answer_rotation_score] |
| the module's symbols, names and assumptions | every Part B test |

A hint names a cause only when that misconception reproduces the answer: the encoding's on the failing
size and on every probe size where it shows (``encoding_hint``), a sympy answer's at random points.
"""
from __future__ import annotations

import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, exceeds

from .positional_support import (EXERCISE, as_array, encoding_call, even_d_model, expect_encoding,
                                 expect_expression, expected_full_dot, expected_pair_dot, expected_pair_norm,
                                 expected_rotation_score, formula_encoding, full_dot_variants, pair_dot_variants,
                                 rotation_variants)

pytestmark = pytest.mark.exercise(EXERCISE)


# ---------------------------------------------------------------- Part A
@weight(3)
@settings(max_examples=20)
@given(max_len=st.integers(1, 64), d_model=even_d_model)
@example(max_len=4, d_model=4)
@example(max_len=1, d_model=2)
@example(max_len=50, d_model=16)
def test_encoding_matches_the_formula(submission, max_len, d_model):
    """positional_encoding(max_len, d_model): row p is PE(p), sin in even columns, cos in odd ones."""
    sub = submission(EXERCISE)
    got = sub.positional_encoding(max_len, d_model)
    expect_encoding(got, formula_encoding(max_len, d_model),
                    f"{encoding_call(max_len, d_model)} compared with the formula of the exercise text",
                    max_len, d_model, rerun=sub.positional_encoding)


@weight(1)
@settings(max_examples=10)
@given(max_len=st.integers(2, 40), d_model=even_d_model)
@example(max_len=6, d_model=4)
def test_encoding_dot_products_depend_on_the_offset_only(submission, max_len, d_model):
    """Every row has squared norm d_model/2, and PE(p).PE(q) depends on p - q only (the Gram matrix is Toeplitz)."""
    got = as_array(submission(EXERCISE).positional_encoding(max_len, d_model))
    what = f"E = {encoding_call(max_len, d_model)}"
    if got is None or got.shape != (max_len, d_model):
        raise Mismatch(f"{what}\n  expected shape: {(max_len, d_model)}\n  got shape:      "
                       f"{None if got is None else got.shape}")
    gram = got @ got.T
    # float32 entries (see ENCODING_TOL): each of the d_model products is off by < 3e-4, so a sum by < 3e-4 * d_model.
    tol = 3e-4 * d_model
    norms = np.diag(gram)
    bad = np.flatnonzero(exceeds(np.abs(norms - d_model / 2), tol))
    if bad.size:
        i = int(bad[0])
        raise Mismatch(f"{what}\n  |E[{i}]|^2 = {norms[i]!r}, but every row is d_model/2 = {d_model / 2} pairs "
                       f"(sin^2 + cos^2 each)")
    shift = np.abs(gram[1:, 1:] - gram[:-1, :-1])
    if exceeds(shift, tol).any():
        i, j = (int(x) for x in np.unravel_index(int(np.argmax(shift)), shift.shape))
        raise Mismatch(f"{what}\n  E[{i}].E[{j}] = {gram[i, j]!r} but E[{i + 1}].E[{j + 1}] = {gram[i + 1, j + 1]!r}: "
                       "the dot product must depend on the offset p - q only")


# ---------------------------------------------------------------- Part B
@weight(1)
def test_answer_pair_norm(submission):
    """||pe_omega(p)||^2, simplified."""
    got = submission(EXERCISE).answer_pair_norm()
    expect_expression(got, expected_pair_norm(), "answer_pair_norm()", [], ("omega", "p"), simplified=True)


@weight(2)
def test_answer_pair_dot(submission):
    """pe_omega(p)^T pe_omega(q), written in p - q."""
    got = submission(EXERCISE).answer_pair_dot()
    expect_expression(got, expected_pair_dot(), "answer_pair_dot()", pair_dot_variants(), ("omega", "p", "q"),
                      relative=True)


@weight(2)
def test_answer_full_dot(submission):
    """<PE(p), PE(q)> as a Sum over the frequencies, written in p - q (compared at d = 2, 4, 6, 8)."""
    got = submission(EXERCISE).answer_full_dot()
    expect_expression(got, expected_full_dot(), "answer_full_dot()", full_dot_variants(), ("k", "d", "p", "q"),
                      relative=True, sums=True)


@weight(2)
def test_answer_rotation_score(submission):
    """s_pq for M = [[a, -b], [b, a]] and x_p = pe_omega(p), written in p - q."""
    got = submission(EXERCISE).answer_rotation_score()
    expect_expression(got, expected_rotation_score(), "answer_rotation_score()", rotation_variants(),
                      ("a", "b", "d_k", "omega", "p", "q"), relative=True)
