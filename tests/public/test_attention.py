"""Public grading tests for exercises/attention.py.

Parts A and B (by hand) are compared entry by entry with matrices rebuilt here with sympy from the
problem's data (and checked against F.scaled_dot_product_attention); Part C's masks against
plain-loop oracles and the masked softmax against F.scaled_dot_product_attention with a boolean
attn_mask, on settings hypothesis draws; Part D's formulas with sympy, and the Monte Carlo estimate
against the exact moments within six standard errors. A hint is shown only when the misconception,
applied to the oracle, reproduces the answer (for functions: on the failing input and on probe inputs).

Promises of the task text and the tests that exercise them:

| promise                                                            | test(s)                                         |
| ------------------------------------------------------------------ | ----------------------------------------------- |
| Part A S (with -oo), A, Y; exact or floats; sympy/numpy/torch/list | test_causal_self_attention_by_hand              |
| Part B weights, a2, masked a2; a row or a column                   | test_attention_at_step_2                        |
| causal_mask: (T, T) bool, j <= i, T = 1..9                         | test_causal_mask                                |
| padding_mask: (B, T) bool, B = 1..4, T above max(lengths)          | test_padding_mask                               |
| attention_mask: (B, 1, T, T), keys (not queries) padded, B > 1     | test_attention_mask; hidden: test_attention_mask_on_long_sequences |
| attention_mask: causal=False, and the default causal=True          | test_attention_mask (causal cases omit the argument) |
| masked_softmax: masks (T, T), (B, 1, 1, T), (B, 1, T, T); B, H > 1 | test_masked_softmax_matches_sdpa; hidden: test_masked_softmax_on_wide_and_extreme_scores |
| masked_softmax: float32 and float64, dtype kept                    | test_masked_softmax_matches_sdpa                |
| masked_softmax: scores far below any finite fill (-1e6, -1e30)     | test_masked_softmax_matches_sdpa (low), hidden: test_masked_softmax_on_wide_and_extreme_scores |
| masked_softmax: large scores (a naive exp overflows)               | hidden: test_masked_softmax_on_wide_and_extreme_scores |
| masked_softmax: masked weights exactly 0                           | test_masked_softmax_matches_sdpa                |
| masked_softmax: scores and mask left unchanged                     | test_masked_softmax_leaves_its_arguments_unchanged |
| E[q . k], Var[q . k] in mu, sigma, d; the standard normal case     | test_dot_mean, test_dot_variance, test_standard_normal_scores |
| Monte Carlo: any mu, sigma, d; the moments within 6 SE              | test_monte_carlo_matches_the_exact_moments; hidden: test_monte_carlo_on_other_settings |
| Monte Carlo: same seed same result, other seed other result,       | test_monte_carlo_uses_its_seed                  |
|   global random state (random, np.random, torch) untouched          |                                                 |
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, hint_text

from .attention_support import (ATTENTION_MASK_PROBES, CAUSAL_PROBES, EXERCISE, HINTS, PADDING_PROBES,
                                attention_mask_variants, case_mask, case_scores, causal_variants, describe_scores,
                                describe_tensor, expect_by_hand, expect_expression, expect_mask, expect_mc,
                                expect_weights, expected_mean, expected_variance, loop_attention_mask, loop_causal,
                                loop_padding, mask_cases, mask_diagnosis, masked_softmax_keeps_inputs,
                                mean_variants, monte_carlo_report, padding_variants, part_a, part_a_variants, part_b,
                                part_b_variants, same_mask, sdpa_weights, softmax_diagnosis,
                                standard_normal_expected, standard_normal_variants, variance_variants)

pytestmark = pytest.mark.exercise(EXERCISE)


# ---------------------------------------------------------------- Part A: causal self-attention by hand
@weight(2)
@pytest.mark.parametrize("part,index", [("answer_causal_scores", 0), ("answer_causal_weights", 1),
                                        ("answer_causal_outputs", 2)])
def test_causal_self_attention_by_hand(submission, part, index):
    """Part A: the masked scores S, the weights A and the outputs Y (exact, or floats to ~6 digits)."""
    got = getattr(submission(EXERCISE), part)()
    expect_by_hand(got, part_a()[index], f"{part}()", [(h, v[index]) for h, v in part_a_variants()])


# ---------------------------------------------------------------- Part B: output at step 2
@weight(1)
@pytest.mark.parametrize("part", ["answer_step2_weights", "answer_step2_output", "answer_step2_masked_output"])
def test_attention_at_step_2(submission, part):
    """Part B: the weights of q2 over k1..k3, the output a2, and a2 with k3 / v3 masked."""
    got = getattr(submission(EXERCISE), part)()
    expect_by_hand(got, part_b()[part], f"{part}()", part_b_variants(part), vector=True)


# ---------------------------------------------------------------- Part C: masks
@weight(1)
@settings(max_examples=10)
@given(T=st.integers(1, 9))
@example(T=3)
def test_causal_mask(submission, T):
    """causal_mask(T): (T, T) bool, True where j <= i."""
    sub = submission(EXERCISE)
    got = sub.causal_mask(T)
    expect_mask(got, loop_causal(T), f"causal_mask({T})",
                mask_diagnosis(sub.causal_mask, loop_causal, causal_variants(), T, CAUSAL_PROBES))


@weight(1)
@settings(max_examples=15)
@given(data=st.data())
@example(data=None)
def test_padding_mask(submission, data):
    """padding_mask(lengths, T): (B, T) bool, True where j < lengths[b]."""
    if data is None:
        T, lengths = 4, [2, 4, 1]
    else:
        T = data.draw(st.integers(1, 8), label="T")
        lengths = data.draw(st.lists(st.integers(1, T), min_size=1, max_size=4), label="lengths")
    sub = submission(EXERCISE)
    got = sub.padding_mask(torch.tensor(lengths), T)
    expect_mask(got, loop_padding(lengths, T), f"padding_mask(torch.tensor({lengths}), {T})",
                mask_diagnosis(lambda x: sub.padding_mask(torch.tensor(x[0]), x[1]), lambda x: loop_padding(*x),
                               padding_variants(), (lengths, T), PADDING_PROBES))


@weight(2)
@settings(max_examples=20)
@given(case=mask_cases())
@example(case=dict(T=4, lengths=[2, 4], causal=True, H=2, seed=0, spread=1.0, mask_form="full", dtype="float32"))
@example(case=dict(T=4, lengths=[3, 1], causal=False, H=2, seed=0, spread=1.0, mask_form="full", dtype="float32"))
def test_attention_mask(submission, case):
    """attention_mask(lengths, T[, causal]): (B, 1, T, T) bool: padding on the keys, and j <= i if causal (the
    causal cases call it without the argument: causal=True is the default)."""
    T, lengths, causal = case["T"], case["lengths"], case["causal"]
    sub = submission(EXERCISE)
    expected = loop_attention_mask(lengths, T, causal)
    if causal:   # the default
        got = sub.attention_mask(torch.tensor(lengths), T)
        what = f"attention_mask(torch.tensor({lengths}), {T})   (causal left at its default)"
    else:
        got = sub.attention_mask(torch.tensor(lengths), T, causal=False)
        what = f"attention_mask(torch.tensor({lengths}), {T}, causal=False)"

    def student(x):
        return sub.attention_mask(torch.tensor(x[0]), x[1], causal=x[2])

    def diagnose():
        if causal and same_mask(got, loop_attention_mask(lengths, T, False)) \
                and same_mask(student((lengths, T, True)), expected):
            return "causal_default"   # right with causal=True passed, the non-causal mask without it
        return mask_diagnosis(student, lambda x: loop_attention_mask(*x), attention_mask_variants(),
                              (lengths, T, causal), ATTENTION_MASK_PROBES)()

    expect_mask(got, expected, what, diagnose)


@weight(2)
@settings(max_examples=20)
@given(case=mask_cases())
@example(case=dict(T=3, lengths=[3], causal=True, H=1, seed=1, spread=1.0, mask_form="causal_only",
                   dtype="float32", low=0.0))
@example(case=dict(T=4, lengths=[2, 4], causal=True, H=2, seed=2, spread=1.0, mask_form="full", dtype="float32",
                   low=0.0))
@example(case=dict(T=5, lengths=[3, 5], causal=False, H=2, seed=3, spread=4.0, mask_form="padding_only",
                   dtype="float64", low=0.0))
@example(case=dict(T=4, lengths=[3, 4], causal=True, H=2, seed=4, spread=1.0, mask_form="full", dtype="float64",
                   low=1e6))
@example(case=dict(T=4, lengths=[2, 4], causal=False, H=1, seed=5, spread=1.0, mask_form="padding_only",
                   dtype="float32", low=1e30))
def test_masked_softmax_matches_sdpa(submission, case):
    """masked_softmax(scores, mask) equals the weights of F.scaled_dot_product_attention with that bool mask
    (scores of both dtypes, some far below any finite fill value)."""
    scores, mask = case_scores(case), torch.from_numpy(case_mask(case))
    sub = submission(EXERCISE)
    got = sub.masked_softmax(scores, mask)
    expected = sdpa_weights(scores, mask)
    what = (f"masked_softmax(scores, mask) with scores {describe_tensor(scores)} (seed {case['seed']})"
            f"{describe_scores(case)}, mask {describe_tensor(mask)} = {mask_description(case)}\n  compared with "
            f"the attention weights of F.scaled_dot_product_attention(..., attn_mask=mask)")
    expect_weights(got, expected, what, softmax_diagnosis(sub.masked_softmax, scores, mask))


@weight(1)
def test_masked_softmax_leaves_its_arguments_unchanged(submission):
    """masked_softmax returns a new tensor: scores and mask are as they were after the call."""
    sub = submission(EXERCISE)
    for form in ("full", "padding_only", "causal_only"):
        case = dict(T=4, lengths=[2, 4], causal=True, H=2, seed=6, spread=1.0, mask_form=form, dtype="float32")
        scores, mask = case_scores(case), torch.from_numpy(case_mask(case))
        changed = sub.run_probe(masked_softmax_keeps_inputs, sub.get_attr("masked_softmax"), scores, mask)
        if changed:
            raise Mismatch(f"masked_softmax(scores, mask) with scores {describe_tensor(scores)}, mask "
                           f"{describe_tensor(mask)} = {mask_description(case)}\n  after the call, "
                           f"{' and '.join(changed)} {'is' if len(changed) == 1 else 'are'} no longer what was "
                           f"passed in: your function changed {'it' if len(changed) == 1 else 'them'} in place"
                           + hint_text("inputs_changed", HINTS))


def mask_description(case: dict) -> str:
    if case["mask_form"] == "causal_only":
        return f"causal_mask({case['T']})"
    if case["mask_form"] == "padding_only":
        return f"padding_mask(torch.tensor({case['lengths']}), {case['T']})[:, None, None, :]"
    return f"attention_mask(torch.tensor({case['lengths']}), {case['T']}, causal={case['causal']})"


# ---------------------------------------------------------------- Part D: moments of q . k
@weight(1)
def test_dot_mean(submission):
    """E[q . k] in mu, sigma, d (sympy)."""
    got = submission(EXERCISE).answer_dot_mean()
    expect_expression(got, expected_mean(), "answer_dot_mean()", mean_variants())


@weight(2)
def test_dot_variance(submission):
    """Var[q . k] in mu, sigma, d (sympy)."""
    got = submission(EXERCISE).answer_dot_variance()
    expect_expression(got, expected_variance(), "answer_dot_variance()", variance_variants())


@weight(1)
def test_standard_normal_scores(submission):
    """mu = 0, sigma = 1: mean and variance of q . k, and variance of q . k / sqrt(d)."""
    got = submission(EXERCISE).answer_standard_normal_scores()
    what = "answer_standard_normal_scores()"
    if not (isinstance(got, (tuple, list)) and len(got) == 3):
        raise Mismatch(f"{what}\n  got: {got!r}\n  expected a tuple (mean, var, scaled_var)")
    expected = standard_normal_expected()
    names = ("mean", "var", "scaled_var")
    for k, (g, e, name) in enumerate(zip(got, expected, names)):
        variants = [(h, v[k]) for h, v in standard_normal_variants()]
        expect_expression(g, e, f"{what}: entry {k} ({name})", variants)


MC_CASES = st.fixed_dictionaries(dict(mu=st.sampled_from([0.0, 0.5, -1.0, 2.0]),
                                      sigma=st.sampled_from([0.5, 1.0, 1.5]), d=st.integers(1, 32)))
MC_SAMPLES = 20_000


@weight(2)
@settings(max_examples=8)
@given(case=MC_CASES)
@example(case=dict(mu=0.0, sigma=1.0, d=16))
@example(case=dict(mu=1.0, sigma=2.0, d=8))
def test_monte_carlo_matches_the_exact_moments(submission, case):
    """dot_moments_monte_carlo is within six standard errors of the exact E and Var of q . k."""
    seed = 1234
    got = submission(EXERCISE).dot_moments_monte_carlo(case["mu"], case["sigma"], case["d"], MC_SAMPLES, seed)
    expect_mc(got, case["mu"], case["sigma"], case["d"], MC_SAMPLES,
              f"dot_moments_monte_carlo({case['mu']}, {case['sigma']}, {case['d']}, {MC_SAMPLES}, {seed})")


@weight(1)
def test_monte_carlo_uses_its_seed(submission):
    """The same arguments (same seed) give the same estimate, another seed another one, and the global random
    generators (random, np.random, torch) are left as they were."""
    sub = submission(EXERCISE)
    args, other_seed = (0.5, 1.0, 4, 2000, 7), 8
    got = sub.run_probe(monte_carlo_report, sub.get_attr("dot_moments_monte_carlo"), args, other_seed)
    first, second, other = got["first"], got["second"], got["other"]
    if first != second:
        raise Mismatch(f"dot_moments_monte_carlo{args} twice\n  first:  {first}\n  second: {second}"
                       + hint_text("mc_seed", HINTS))
    if first == other:
        raise Mismatch(f"dot_moments_monte_carlo{args} and the same call with seed={other_seed}\n  both gave "
                       f"{first}: the estimate does not change with the seed" + hint_text("mc_seed_ignored", HINTS))
    if got["changed"]:
        raise Mismatch(f"dot_moments_monte_carlo{args}\n  the call changed the state of "
                       f"{' and '.join(got['changed'])}" + hint_text("mc_global_rng", HINTS))
