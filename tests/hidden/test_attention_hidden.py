"""Hidden tests for attention: wider masks and scores, extreme scores, other Monte Carlo settings;
the reference solution as the oracle. Feedback never shows the reference's values."""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings
from hypothesis import strategies as st

from ..public.attention_support import (ATTENTION_MASK_PROBES, EXERCISE, attention_mask_variants, case_mask,
                                        case_scores, describe_scores, describe_tensor, expect_mask, expect_mc,
                                        expect_weights, loop_attention_mask, mask_cases, mask_diagnosis,
                                        softmax_diagnosis)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=15)
@given(case=mask_cases(max_batch=5, max_heads=1, max_T=16))
def test_attention_mask_on_long_sequences(submission, reference, case):
    """attention_mask with up to 5 sequences of up to 16 tokens."""
    T, lengths, causal = case["T"], case["lengths"], case["causal"]
    expected = reference(EXERCISE).attention_mask(torch.tensor(lengths), T, causal=causal).numpy()
    sub = submission(EXERCISE)
    got = sub.attention_mask(torch.tensor(lengths), T, causal=causal)
    expect_mask(got, expected, f"attention_mask(torch.tensor({lengths}), {T}, causal={causal})",
                mask_diagnosis(lambda x: sub.attention_mask(torch.tensor(x[0]), x[1], causal=x[2]),
                               lambda x: loop_attention_mask(*x), attention_mask_variants(), (lengths, T, causal),
                               ATTENTION_MASK_PROBES))


@weight(2)
@visibility("after_due_date")
@settings(max_examples=15)
@given(case=mask_cases(max_batch=4, max_heads=4, max_T=12), spread=st.sampled_from([1.0, 30.0, 1000.0]))
def test_masked_softmax_on_wide_and_extreme_scores(submission, reference, case, spread):
    """masked_softmax on larger shapes and on scores in the thousands (a naive exp overflows)."""
    case = dict(case, spread=spread)
    scores, mask = case_scores(case), torch.from_numpy(case_mask(case))
    expected = reference(EXERCISE).masked_softmax(scores, mask)
    sub = submission(EXERCISE)
    got = sub.masked_softmax(scores, mask)
    size = f" (entries up to about {3 * spread:g} in size)" if not case["low"] else describe_scores(case)
    what = f"masked_softmax(scores, mask) with scores {describe_tensor(scores)}{size}, mask {describe_tensor(mask)}"
    expect_weights(got, expected, what, softmax_diagnosis(sub.masked_softmax, scores, mask), reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=6)
@given(mu=st.sampled_from([-0.3, 0.8, 1.5]), sigma=st.sampled_from([0.3, 0.7, 2.5]), d=st.integers(1, 64),
       seed=st.integers(0, 2**20))
def test_monte_carlo_on_other_settings(submission, reference, mu, sigma, d, seed):
    """dot_moments_monte_carlo for other mu, sigma, d and seeds, within six standard errors of the formulas."""
    ref = reference(EXERCISE)
    at = {ref.MU: mu, ref.SIGMA: sigma, ref.D: d}
    mean, var = float(ref.answer_dot_mean().subs(at)), float(ref.answer_dot_variance().subs(at))
    n = 20_000
    got = submission(EXERCISE).dot_moments_monte_carlo(mu, sigma, d, n, seed)
    expect_mc(got, mu, sigma, d, n, f"dot_moments_monte_carlo({mu}, {sigma}, {d}, {n}, {seed})", reveal=False,
              exact=(mean, var))
