"""Public grading tests for exercises/multihead.py.

Part A: ScaledDotProductAttention and MultiHeadAttention against F.scaled_dot_product_attention (and autograd
through it), with the grader's weights copied into w_q, w_k, w_v, w_o; the rule on allowed nn parts.
Part B: the equivariance check on functions that are and are not permutation equivariant, computed here too.
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings

from autograder.checks import Mismatch, assert_close, hint_text
from autograder.rules import run_without

from .multihead_support import (ATOL, EXERCISE, FORBIDDEN_CALLS, HINTS, PROJECTIONS, RTOL, RULE, add_positional,
                                build_function, call_demo, check_equivariance_error, check_is_equivariant, check_mha,
                                check_sdpa, check_source_rule, close, describe_mha, eq_case, equivariance_cases, errors,
                                load_mha_weights, make_mha_data, make_x, mha_case, mha_cases, mha_oracle,
                                parameter_report, run_mha, sdpa_case, sdpa_cases, sinusoidal_positional_encoding)

pytestmark = pytest.mark.exercise(EXERCISE)

# Two heads, three tokens, a causal mask: tells apart the scale, the softmax axis, the head order and the mask.
TWO_HEADS_CAUSAL = mha_case(batch=2, heads=2, d_model=8, t_q=3, mask="causal", seed=3)
CROSS_PER_SEQUENCE = mha_case(batch=2, heads=2, d_model=4, t_q=2, t_k=5, cross=True, mask="per_sequence", seed=5)


# ---------------------------------------------------------------- Part A
@weight(1)
def test_parameters_are_four_linear_projections(submission):
    """MultiHeadAttention has w_q, w_k, w_v, w_o as nn.Linear(d_model, d_model)"""
    sub = submission(EXERCISE)
    for d, h, bias in ((8, 2, True), (6, 3, False)):
        got = sub.run_probe(parameter_report, sub.MultiHeadAttention(d, h, bias=bias))
        expected = {f"{n}.{k}": [d, d] if k == "weight" else [d] for n in PROJECTIONS
                    for k in (("weight", "bias") if bias else ("weight",))}
        what = f"MultiHeadAttention({d}, {h}, bias={bias}): its parameters (name: shape)"
        if not all(got["linear"].values()):
            raise Mismatch(f"{what}\n  w_q, w_k, w_v and w_o must be nn.Linear layers; got nn.Linear for "
                           f"{[n for n, ok in got['linear'].items() if ok]} only")
        if got["params"] != expected:
            raise Mismatch(f"{what}\n  expected: {expected}\n  got:      {got['params']}")


@weight(3)
@settings(max_examples=15)
@given(case=sdpa_cases())
@example(case=sdpa_case((2,), 3, 3, 4, 2, mask="causal", seed=1))
@example(case=sdpa_case((1, 2), 2, 4, 3, 3, mask="full", seed=2))
def test_sdpa_matches_F_scaled_dot_product_attention(submission, case):
    """ScaledDotProductAttention agrees with F.scaled_dot_product_attention (masks: True = may attend)"""
    check_sdpa(submission(EXERCISE), case)


@weight(4)
@settings(max_examples=15)
@given(case=mha_cases())
@example(case=TWO_HEADS_CAUSAL)
@example(case=CROSS_PER_SEQUENCE)
@example(case=mha_case(batch=1, heads=2, d_model=4, t_q=4, mask="shared", bias=False, seed=7))
def test_mha_matches_F_scaled_dot_product_attention(submission, case):
    """MultiHeadAttention agrees with projections + F.scaled_dot_product_attention + output projection"""
    check_mha(submission(EXERCISE), case)


@weight(2)
@settings(max_examples=5)
@given(case=mha_cases())
@example(case=TWO_HEADS_CAUSAL)
@example(case=CROSS_PER_SEQUENCE)
def test_mha_gradients_match_autograd(submission, case):
    """MultiHeadAttention gradients (inputs and all projections) agree with autograd through the oracle"""
    check_mha(submission(EXERCISE), case, grads=True)


@weight(1)
def test_dropout_acts_on_the_weights_in_training_mode_only(submission):
    """dropout=0.5: eval() gives the oracle's output; training mode changes it"""
    sub = submission(EXERCISE)
    case = TWO_HEADS_CAUSAL
    check_mha(sub, case, dropout=0.5)
    data = make_mha_data(case)
    layer = sub.MultiHeadAttention(case["d_model"], case["heads"], dropout=0.5, bias=case["bias"])
    got = sub.run_probe(run_mha, layer, data["weights"], data["query"], None, None, data["mask"], None, True)
    if "problem" in got:
        raise Mismatch(f"{describe_mha(case)}\n  {got['problem']}")
    expected = mha_oracle(data, case)["out"]
    what = f"{describe_mha(case)} with dropout=0.5 in training mode"
    if tuple(got["out"].shape) != tuple(expected.shape) or not torch.isfinite(got["out"]).all():
        raise Mismatch(f"{what}\n  expected: a finite tensor of shape {tuple(expected.shape)}\n  got:      "
                       f"shape {tuple(got['out'].shape)}")
    if close(got["out"], expected):
        raise Mismatch(f"{what}\n  the output is the same as without dropout" + hint_text("dropout_missing", HINTS))


@weight(1)
@settings(max_examples=5)
@given(case=mha_cases(masks=("none",), cross=False))
@example(case=mha_case(batch=2, heads=2, d_model=4, t_q=4, seed=11))
def test_mha_is_permutation_equivariant(submission, case):
    """Self-attention without a mask: permuting the tokens of x permutes the output the same way"""
    sub = submission(EXERCISE)
    data = make_mha_data(case)
    perm = torch.arange(case["t_q"]).roll(1)
    layer = sub.MultiHeadAttention(case["d_model"], case["heads"], bias=case["bias"])
    plain = sub.run_probe(run_mha, layer, data["weights"], data["query"], None, None, None)
    permuted = sub.run_probe(run_mha, layer, data["weights"], data["query"][:, perm], None, None, None)
    for got in (plain, permuted):
        if "problem" in got:
            raise Mismatch(f"{describe_mha(case)}\n  {got['problem']}")
    if not close(permuted["out"], plain["out"][:, perm]):
        hint = "head_order"  # the usual way to mix tokens: viewing (B, T, D) directly as (B, h, T, d_k)
        assert_close(permuted["out"], plain["out"][:, perm],
                     f"{describe_mha(case)}, perm={perm.tolist()}\n  layer(x[:, perm]) compared with "
                     "layer(x)[:, perm]:", hint=hint, hints=HINTS)


@weight(2)
def test_rule_only_linear_softmax_dropout_from_nn(submission):
    """Rule: only nn.Linear, nn.Softmax, nn.Dropout from torch.nn; no built-in attention"""
    sub = submission(EXERCISE)
    case = TWO_HEADS_CAUSAL
    data = make_mha_data(case)
    layer = sub.MultiHeadAttention(case["d_model"], case["heads"], bias=case["bias"])
    problem = sub.run_probe(load_mha_weights, layer, data["weights"])
    if problem:
        raise Mismatch(f"{describe_mha(case)}\n  {problem}")
    layer.eval()
    got = run_without(sub, FORBIDDEN_CALLS, RULE, layer, "", data["query"], data["query"], data["query"],
                      data["mask"])
    sdpa = sub.ScaledDotProductAttention()
    run_without(sub, FORBIDDEN_CALLS, RULE, sdpa, "", data["query"], data["query"], data["query"], data["mask"])
    check_source_rule(sub)
    expected = mha_oracle(data, case)["out"]
    if not close(got, expected):
        assert_close(got, expected, f"{describe_mha(case)}\n  (the rule is credited only when the layer's output "
                                    "is right) output, compared with F.scaled_dot_product_attention:",
                     rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- Part B
@weight(2)
@settings(max_examples=15)
@given(case=equivariance_cases())
@example(case=eq_case("encoder", 2, 4, 4, 2, [1, 2, 3, 0]))  # a 4-cycle tells invariance from the inverse perm
@example(case=eq_case("causal_attention", 1, 3, 4, 1, [1, 2, 0]))
@example(case=eq_case("sort_tokens", 2, 3, 2, 1, [2, 0, 1]))
def test_equivariance_error(submission, case):
    """equivariance_error returns max |f(x[:, perm]) - f(x)[:, perm]|"""
    check_equivariance_error(submission(EXERCISE), case)


@weight(2)
@settings(max_examples=15)
@given(case=equivariance_cases())
@example(case=eq_case("mha", 2, 3, 4, 2, [1, 2, 0]))
@example(case=eq_case("nearly", 1, 4, 4, 1, [3, 2, 1, 0], tol=1e-5))
@example(case=eq_case("ramp", 1, 4, 4, 1, [1, 0, 2, 3], tol=1e-3))
@example(case=eq_case("sort_tokens", 2, 3, 2, 1, [2, 0, 1]))
@example(case=eq_case("positional_encoder", 2, 3, 4, 2, [0, 2, 1]))
def test_is_permutation_equivariant(submission, case):
    """is_permutation_equivariant on equivariant and non-equivariant functions (and tol)"""
    check_is_equivariant(submission(EXERCISE), case)


@weight(1)
def test_add_positional(submission):
    """add_positional(x) = x + sinusoidal_positional_encoding(T, D), for every sequence of the batch"""
    sub = submission(EXERCISE)
    for shape, dtype in (((2, 5, 4), torch.float32), ((1, 3, 7), torch.float64), ((3, 2, 6), torch.float32)):
        x = torch.randn(*shape, dtype=dtype)
        got = sub.add_positional(x)
        expected = add_positional(x)
        pe = sinusoidal_positional_encoding(shape[1], shape[2]).to(dtype)
        hint = None
        if isinstance(got, torch.Tensor) and close(got, pe.expand(shape)):
            hint = "positional_not_added"
        elif not isinstance(got, torch.Tensor) or got.shape != expected.shape:
            hint = "positional_shape"
        assert_close(got, expected, f"add_positional(x) for x of shape {shape}, {dtype}:", hint=hint, hints=HINTS)


DEMO_CASES = [eq_case("encoder", 2, 4, 4, 2, [2, 0, 3, 1], seed=1), eq_case("attention", 1, 3, 6, 1, [1, 0, 2], seed=2),
              eq_case("encoder", 1, 3, 4, 1, [0, 1, 2], seed=3)]


@weight(1)
@pytest.mark.parametrize("case", DEMO_CASES, ids=["encoder", "attention", "identity_perm"])
def test_positional_demo(submission, case):
    """positional_demo: equivariant without positional encodings, not with them (unless perm is the identity)"""
    sub = submission(EXERCISE)
    got = sub.run_probe(call_demo, sub.get_attr("positional_demo"), case, make_x(case), case["perm"], case["tol"])
    without = errors(case)["right"] <= case["tol"]
    layer = build_function(case)
    with_pe = errors(case, f=lambda z: layer(add_positional(z)))["right"] <= case["tol"]
    what = (f"positional_demo(layer, x, perm={case['perm']}, tol={case['tol']}) with layer = "
            f"{'nn.TransformerEncoderLayer' if case['kind'] == 'encoder' else 'single-head self-attention'}, "
            f"x of shape {(case['batch'], case['t'], case['d_model'])}")
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise Mismatch(f"{what}\n  expected: a pair of bools (without, with_pe)\n  got:      {got!r}")
    if (got[0], got[1]) != (without, with_pe):
        hint = None
        if got[0] is False and without:
            hint = "exact_equality" if errors(case)["right"] > 0 else None
        raise Mismatch(f"{what}\n  expected: {(without, with_pe)}\n  got:      {tuple(got)!r}"
                       + hint_text(hint, HINTS))
