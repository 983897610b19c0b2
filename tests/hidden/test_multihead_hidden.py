"""Hidden tests for multihead: wider settings (more heads, longer sequences), the reference modules as the oracle.

Feedback names the setting and the values returned, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings

from ..public.multihead_support import (EXERCISE, check_is_equivariant, check_mha, check_sdpa, equivariance_cases,
                                        mha_cases, reference_mha_oracle, reference_sdpa_oracle, sdpa_cases)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=10)
@given(case=sdpa_cases(max_batch=2, max_heads=4, max_t=7, max_d=8))
def test_sdpa_on_wider_settings(submission, reference, case):
    """ScaledDotProductAttention with up to 4 heads and 7 tokens"""
    check_sdpa(submission(EXERCISE), case, oracle=reference_sdpa_oracle(reference(EXERCISE)), reveal=False)


@weight(2)
@visibility("after_due_date")
@settings(max_examples=10)
@given(case=mha_cases(max_batch=2, max_heads=4, max_t=7, max_width=12))
def test_mha_on_wider_settings(submission, reference, case):
    """MultiHeadAttention with up to 4 heads, width 12 and 7 tokens (forward and gradients)"""
    check_mha(submission(EXERCISE), case, grads=True, oracle=reference_mha_oracle(reference(EXERCISE)),
              reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=10)
@given(case=equivariance_cases(max_t=6, max_width=8))
def test_is_permutation_equivariant_on_more_functions(submission, case):
    """is_permutation_equivariant on more functions, permutations and tolerances"""
    check_is_equivariant(submission(EXERCISE), case, reveal=False)
