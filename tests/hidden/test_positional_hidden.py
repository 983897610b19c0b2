"""Hidden tests for positional: wider sizes, and the identities at wide random points, with the
reference solution as the oracle.

Feedback names the input and the value returned, never the reference's value.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, summed_out

from ..public.positional_support import (EXERCISE, as_array, d, encoding_call, expect_encoding,
                                         first_disagreement, p, q, realified, whole_floats)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(2)
@visibility("after_due_date")
@settings(max_examples=15)
@given(max_len=st.integers(1, 128), d_model=st.integers(1, 64).map(lambda n: 2 * n))
def test_encoding_on_wider_sizes(submission, reference, max_len, d_model):
    """positional_encoding with up to 128 positions and d_model up to 128."""
    expected = as_array(reference(EXERCISE).positional_encoding(max_len, d_model))
    sub = submission(EXERCISE)
    got = sub.positional_encoding(max_len, d_model)
    expect_encoding(got, expected, encoding_call(max_len, d_model), max_len, d_model, rerun=sub.positional_encoding,
                    reveal=False)


@weight(1)
@visibility("after_due_date")
@pytest.mark.parametrize("part", ["answer_pair_norm", "answer_pair_dot", "answer_rotation_score"])
def test_identity_at_wide_random_points(submission, reference, part):
    """The answer, evaluated at 50 random points with large positions and frequencies."""
    got = getattr(submission(EXERCISE), part)()
    expected = getattr(reference(EXERCISE), part)()
    bad = first_disagreement(got, expected)
    if bad is not None:
        point, value = bad
        raise Mismatch(f"{part}() evaluated at {point}\n  got: {value.real!r} (from {got})\n"
                       "  which is not the expected value there")


@weight(1)
@visibility("after_due_date")
def test_full_dot_equals_the_inner_products_of_the_encoding(submission, reference):
    """answer_full_dot() at d = 2, 8, 32 and integer positions equals PE(p).PE(q) of the encoding itself."""
    got = submission(EXERCISE).answer_full_dot()
    try:
        fixed = realified(sympy.sympify(got, strict=True))
    except (sympy.SympifyError, TypeError, AttributeError):
        raise Mismatch(f"answer_full_dot()\n  expected a sympy expression; got {got!r}") from None
    rng = np.random.default_rng(0)
    for dv in (2, 8, 32):
        pe = as_array(reference(EXERCISE).positional_encoding(100, dv)).astype(np.float64)
        finite = summed_out(whole_floats(fixed.subs(d, dv)), what=f"answer_full_dot() at d = {dv}")
        if not finite.free_symbols <= {p, q}:
            raise Mismatch(f"answer_full_dot() at d = {dv}\n  got: {finite} (from {got})\n  which still has "
                           f"{sorted(s.name for s in finite.free_symbols - {p, q})} in it")
        try:  # float64 at the integer points below (sympy's own evalf point by point is ~10x slower)
            evaluate = sympy.lambdify((p, q), finite, modules="numpy")
        except Exception:
            evaluate = None
        for pv, qv in rng.integers(0, 100, size=(4, 2)):
            try:
                with np.errstate(all="ignore"):
                    value = complex(evaluate(int(pv), int(qv)))
            except Exception:
                value = complex("nan")
            if not np.isfinite(value):  # not numpy-evaluable, or 0/0 there: sympy's own evaluation decides
                value = complex(finite.subs({p: int(pv), q: int(qv)}).evalf())
            # The encoding is float32 (entries off by < 1e-5, see ENCODING_TOL): its inner products by < 1e-5 * d.
            if not abs(value - pe[pv] @ pe[qv]) <= 1e-3:
                raise Mismatch(f"answer_full_dot() at d = {dv}, p = {pv}, q = {qv}\n  got: {value.real!r} "
                               f"(from {got})\n  which is not PE(p).PE(q) of the encoding with d_model = {dv}")
