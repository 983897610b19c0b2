"""Hidden tests for transformer: wider sizes, the reference solution (with the same weights) as the oracle.

Feedback names the setting and what was returned, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, hint_text, sympy_equivalent

from ..public.transformer_support import (EXERCISE, HINTS, by_name, check_output, count_variants, describe,
                                          layer_cases, make_case, probe_run, scaling_variants)

pytestmark = pytest.mark.exercise(EXERCISE)

WIDE = dict(max_batch=4, max_T=8, dims=((4, 4), (6, 2), (8, 1), (8, 8), (10, 5), (12, 2), (12, 6), (16, 2),
                                        (16, 8)), ff=(2, 5, 8, 12, 20, 33, 48, 64), scattered=True)


def _run_both(submission, reference, cls, c, train_seed=None):
    weights, x, mask = make_case(c)
    args = (c["d_model"], c["n_heads"], c["d_ff"]) + ((c["p"],) if "p" in c else ())
    sub = submission(EXERCISE)
    got = sub.run_probe(probe_run, getattr(sub, cls)(*args), weights, x, mask, train_seed)
    expected = probe_run(getattr(reference(EXERCISE), cls)(*args), weights, x, mask, train_seed)["out"]
    return got, expected, (weights, x, mask)


@weight(2)
@visibility("after_due_date")
@settings(max_examples=10)
@given(c=layer_cases(**WIDE))
def test_transformer_layer_on_wider_settings(submission, reference, c):
    """TransformerLayer on more head counts, lengths and batch sizes, with and without masks"""
    got, expected, (weights, x, mask) = _run_both(submission, reference, "TransformerLayer", c)
    check_output(got, expected, describe("TransformerLayer", c), lambda: scaling_variants(weights, c, x, mask),
                 reveal=False)


@weight(2)
@visibility("after_due_date")
@settings(max_examples=10)
@given(c=layer_cases(**WIDE), p=st.sampled_from([0.0, 0.2, 0.6]), train=st.booleans(),
       train_seed=st.integers(0, 2**16))
def test_pre_ln_layer_on_wider_settings(submission, reference, c, p, train, train_seed):
    """PreLNTransformerLayer on wider settings, in eval mode and in train mode with a fixed seed"""
    c = dict(c, p=p)
    got, expected, (weights, x, mask) = _run_both(submission, reference, "PreLNTransformerLayer", c,
                                                  train_seed if train else None)
    mode = f", train mode after torch.manual_seed({train_seed})" if train else ", eval mode"
    check_output(got, expected, describe("PreLNTransformerLayer", c, mode),
                 None if train else lambda: scaling_variants(weights, c, x, mask, norm_first=True), reveal=False)


@weight(1)
@visibility("after_due_date")
@pytest.mark.parametrize("func", ["param_count_formula", "param_count_formula_all_biases"])
def test_param_count_formula_equals_the_reference(submission, reference, func):
    """The parameter-count formula, compared symbolically with the reference"""
    got = by_name(getattr(submission(EXERCISE), func)(), f"{func}()")
    expected = by_name(getattr(reference(EXERCISE), func)(), "reference")
    if sympy_equivalent(got, expected):
        return
    all_biases = func.endswith("all_biases")
    hint = next((h.split("#")[0] for h, v in count_variants(all_biases).items() if sympy_equivalent(got, v)),
                None)
    raise Mismatch(f"{func}() = {got}\n  is not the expected formula" + hint_text(hint, HINTS))

