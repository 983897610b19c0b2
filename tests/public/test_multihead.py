"""Public grading tests for exercises/multihead.py.

Part A: ScaledDotProductAttention and MultiHeadAttention against F.scaled_dot_product_attention (and autograd
through it), with the grader's weights copied into w_q, w_k, w_v, w_o; the rule on allowed nn parts.
Part B: the equivariance check on functions that are and are not permutation equivariant, computed here too.
A hint is shown only when the misconception reproduces the output on the failing case and on probe cases.

Promises of the task text and the tests that exercise them:

| promise                                                              | test(s)                                       |
| -------------------------------------------------------------------- | --------------------------------------------- |
| SDPA: leading dims (B,) and (B, h); T_q != T_k; d_v != d_k           | test_sdpa_matches_F_scaled_dot_product_attention; hidden: test_sdpa_on_wider_settings |
| SDPA: mask None, causal, (T_q, T_k), (..., T_q, T_k), (B, 1, 1, T_k) | test_sdpa_matches_F_scaled_dot_product_attention |
| SDPA: float32 and float64 inputs, the output keeps the dtype         | test_sdpa_matches_F_scaled_dot_product_attention |
| SDPA: blocked keys weight 0 also for scores far below -1e4           | test_sdpa_matches_F_scaled_dot_product_attention (low example) |
| SDPA: arguments left unchanged                                       | test_sdpa_matches_F_scaled_dot_product_attention |
| SDPA: dropout on the weights, in training mode only                  | test_sdpa_dropout_acts_on_the_weights_in_training_mode_only |
| MHA: w_q, w_k, w_v, w_o are nn.Linear(D, D); bias=False              | test_parameters_are_four_linear_projections   |
| MHA: B, h > 1; cross-attention (T_q != T_k, key != value); bias      | test_mha_matches_F_scaled_dot_product_attention; hidden: test_mha_on_wider_settings |
| MHA: masks (T_q, T_k) and (B, T_q, T_k), also with B == h            | test_mha_matches_F_scaled_dot_product_attention |
| MHA: gradients of inputs and all projections                         | test_mha_gradients_match_autograd; hidden: test_mha_on_wider_settings |
| MHA: query, key, value and mask left unchanged                       | test_mha_matches_F_scaled_dot_product_attention |
| MHA: dropout off in eval(), on in training mode                      | test_dropout_acts_on_the_weights_in_training_mode_only |
| MHA: permutation equivariant without a mask                          | test_mha_is_permutation_equivariant           |
| rule: only nn.Linear / Softmax / Dropout, no built-in attention      | test_rule_only_linear_softmax_dropout_from_nn |
| equivariance_error: max |f(x[:, perm]) - f(x)[:, perm]|; perm a list or a tensor | test_equivariance_error    |
| is_permutation_equivariant: tol 1e-8 .. 1e-3 and the default 1e-5; rounding; perm a tensor | test_is_permutation_equivariant; hidden: test_is_permutation_equivariant_on_more_functions |
| is_permutation_equivariant: error <= tol, so an error equal to tol (0 with tol=0) is True | test_is_permutation_equivariant (tanh example) |
| add_positional: batch > 1, float32 and float64 (dtype kept); x kept  | test_add_positional                           |
| positional_demo: tol passed on, its default, the identity perm       | test_positional_demo                          |
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings

from autograder.checks import Mismatch, assert_close, hint_text
from autograder.diagnose import confirmed
from autograder.rules import run_without

from .multihead_support import (ATOL, DEFAULT_TOL, EXERCISE, FORBIDDEN_CALLS, HINTS, PROJECTIONS, RTOL, RULE,
                                add_positional, add_positional_report, as_bool, build_function, call_demo,
                                check_equivariance_error, check_is_equivariant, check_mha, check_sdpa,
                                check_source_rule, close, describe_mha, eq_case, equivariance_cases, errors,
                                load_mha_weights, make_mha_data, make_sdpa_data, make_x, mha_case, mha_cases,
                                mha_oracle, mha_variant, parameter_report, run_mha, run_sdpa, same_answer, sdpa_case,
                                sdpa_cases, sdpa_oracle, sinusoidal_positional_encoding, tol_of, unique_hint)

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
@example(case=sdpa_case((2, 2), 3, 4, 2, 3, mask="full", seed=4, dtype="float64"))
@example(case=sdpa_case((2,), 3, 4, 3, 2, mask="keys", seed=6, low=1e5))
@example(case=sdpa_case((2, 3), 2, 4, 2, 2, mask="padding", seed=7))
def test_sdpa_matches_F_scaled_dot_product_attention(submission, case):
    """ScaledDotProductAttention agrees with F.scaled_dot_product_attention (masks: True = may attend), keeps the
    inputs' dtype (float32 or float64) and leaves its arguments unchanged; also with scores far below -1e4"""
    check_sdpa(submission(EXERCISE), case)


@weight(1)
def test_sdpa_dropout_acts_on_the_weights_in_training_mode_only(submission):
    """ScaledDotProductAttention(dropout=0.5): eval() gives the oracle's output; in training mode each output is
    the average of the values with dropped-out weights (kept weights scaled by 1 / (1 - p))"""
    sub = submission(EXERCISE)
    p = 0.5
    case = sdpa_case((2,), 4, 5, 3, 6, mask="keys", seed=41)
    data = make_sdpa_data(case)
    t_k = case["t_k"]
    # values [I | 1]: output column j < T_k is the weight of key j, the last column the sum of the weights
    v = torch.cat([torch.eye(t_k), torch.ones(t_k, 1)], dim=1).expand(2, t_k, t_k + 1).contiguous()
    what = (f"ScaledDotProductAttention(dropout={p})(q {tuple(data['q'].shape)}, k {tuple(data['k'].shape)}, "
            f"v = [I | 1] {tuple(v.shape)}, mask=random ({case['t_q']}, {t_k}))")
    module = sub.ScaledDotProductAttention(dropout=p)
    weights = sdpa_oracle(dict(data, v=v))[..., :t_k]
    evaluated = sub.run_probe(run_sdpa, module, data["q"], data["k"], v, data["mask"])
    if not close(evaluated, torch.cat([weights, weights.sum(-1, keepdim=True)], -1)):
        assert_close(evaluated, torch.cat([weights, weights.sum(-1, keepdim=True)], -1),
                     f"{what} in eval mode (dropout must be off):", rtol=RTOL, atol=ATOL)
    got = sub.run_probe(run_sdpa, module, data["q"], data["k"], v, data["mask"], True)
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(v.shape[:1]) + (case["t_q"], t_k + 1):
        raise Mismatch(f"{what} in training mode\n  expected: a tensor of shape {(2, case['t_q'], t_k + 1)}\n"
                       f"  got:      {got!r}"[:600])
    got = got.double()
    scaled = weights / (1 - p)

    def zero_or(x, full):   # every entry is 0 or the kept (scaled) value
        return bool((torch.isclose(x, torch.zeros_like(x), atol=1e-6) | torch.isclose(x, full, rtol=1e-5,
                                                                                       atol=1e-6)).all())

    on_weights = zero_or(got[..., :t_k], scaled) and bool(torch.allclose(got[..., t_k], got[..., :t_k].sum(-1),
                                                                         rtol=1e-5, atol=1e-5))
    if on_weights and not close(got, evaluated):
        return
    if close(got, evaluated):
        raise Mismatch(f"{what} in training mode\n  the output is the same as in eval mode: no weight was dropped"
                       + hint_text("dropout_missing", HINTS))
    full = torch.cat([weights, weights.sum(-1, keepdim=True)], -1) / (1 - p)
    hint = "dropout_on_output" if zero_or(got, full) else None
    raise Mismatch(f"{what} in training mode\n  the output is not the values averaged with dropped-out weights: "
                   f"with v = [I | 1], each of the first {t_k} columns should be 0 or weight / (1 - p), and the last "
                   f"column their sum" + hint_text(hint, HINTS))


@weight(3)
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
        # claimed only when the layer's output is one of the wrong head splits / merges, here and on the
        # permuted input (these mix the features of different tokens)
        right = mha_oracle(data, case)["out"]
        splits = [dict(split_ok=False), dict(merge_ok=False), dict(split_ok=False, merge_ok=False)]
        permuted_data = dict(data, query=data["query"][:, perm], key=data["query"][:, perm],
                             value=data["query"][:, perm])
        hint = None
        for flags in splits:
            wrong, wrong_permuted = mha_variant(data, case, **flags), mha_variant(permuted_data, case, **flags)
            if not close(wrong, right) and close(plain["out"], wrong) and close(permuted["out"], wrong_permuted):
                hint = "head_order"
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
@example(case=eq_case("sort_tokens", 2, 3, 2, 1, [2, 0, 1], perm_tensor=True))
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
@example(case=eq_case("nearly", 1, 4, 4, 1, [3, 2, 1, 0], tol=None, perm_tensor=True))
@example(case=eq_case("ramp", 1, 4, 4, 1, [1, 0, 2, 3], tol=1e-8))
@example(case=eq_case("tanh", 1, 3, 2, 1, [2, 0, 1], tol=0.0))   # error 0 == tol: "<= tol" is True
def test_is_permutation_equivariant(submission, case):
    """is_permutation_equivariant on equivariant and non-equivariant functions (and tol)"""
    check_is_equivariant(submission(EXERCISE), case)


@weight(1)
def test_add_positional(submission):
    """add_positional(x) = x + sinusoidal_positional_encoding(T, D), for every sequence of the batch, in the dtype
    of x; x is left unchanged"""
    sub = submission(EXERCISE)
    for shape, dtype in (((2, 5, 4), torch.float32), ((1, 3, 7), torch.float64), ((3, 2, 6), torch.float32)):
        x = torch.randn(*shape, dtype=dtype)
        expected = add_positional(x)
        report = sub.run_probe(add_positional_report, sub.get_attr("add_positional"), x)
        got = report["out"]
        pe = sinusoidal_positional_encoding(shape[1], shape[2]).to(dtype)
        hint = None
        if isinstance(got, torch.Tensor) and got.shape == expected.shape and close(got, pe.expand(shape)):
            hint = "positional_not_added"
        what = f"add_positional(x) for x of shape {shape}, {dtype}:"
        assert_close(got, expected, what, hint=hint, hints=HINTS)
        if isinstance(got, torch.Tensor) and got.dtype != dtype:
            raise Mismatch(f"{what}\n  the values are right, but the result is {got.dtype}; it must have the dtype "
                           f"of x ({dtype})")
        if report["changed"]:
            raise Mismatch(f"{what}\n  the result is right, but the call changed x in place"
                           + hint_text("inputs_changed", HINTS))


# Each parameter checks its settings in turn (tol=None: called without tol, i.e. with its default 1e-5).
DEMO_CASES = [[eq_case("encoder", 2, 4, 4, 2, [2, 0, 3, 1], seed=1),
               eq_case("encoder", 2, 4, 4, 2, [2, 0, 3, 1], tol=10.0, seed=1)],
              [eq_case("attention", 1, 3, 6, 1, [1, 0, 2], seed=2),
               eq_case("nearly", 1, 4, 4, 1, [3, 2, 1, 0], tol=None, seed=4)],
              [eq_case("encoder", 1, 3, 4, 1, [0, 1, 2], seed=3)]]
ALL_DEMO_CASES = [case for cases in DEMO_CASES for case in cases]
DEMO_LAYERS = {"encoder": "nn.TransformerEncoderLayer", "attention": "single-head self-attention",
               "nearly": "self-attention + a position term below 1e-5"}


def demo_expected(case: dict, tol=None) -> tuple[bool, bool]:
    """(without, with_pe) for the case's layer, with tol (default: the case's own)."""
    tol = tol_of(case) if tol is None else tol
    layer = build_function(case)
    return (errors(case)["right"] <= tol,
            errors(case, f=lambda z: layer(add_positional(z)))["right"] <= tol)


def demo_variants() -> dict:
    def both(name, tol=None):
        def variant(case):
            layer = build_function(case)
            t = tol_of(case) if tol is None else tol
            errs = errors(case), errors(case, f=lambda z: layer(add_positional(z)))
            return tuple((e["right"] == 0) if name == "exact" else (e[name] <= t) for e in errs)
        return variant
    return {"exact_equality": both("exact"), "inverse_permutation": both("inverse_permutation"),
            "invariance": both("invariance"), "demo_tol": both("right", tol=DEFAULT_TOL)}


@weight(1)
@pytest.mark.parametrize("cases", DEMO_CASES, ids=["encoder", "attention", "identity_perm"])
def test_positional_demo(submission, cases):
    """positional_demo: equivariant without positional encodings, not with them (unless perm is the identity),
    with the tol it is given (or its default)"""
    sub = submission(EXERCISE)
    func = sub.get_attr("positional_demo")

    def student(c):
        got = sub.run_probe(call_demo, func, c, make_x(c), c["perm"], c["tol"])
        return tuple(as_bool(v) for v in got) if isinstance(got, (tuple, list)) and len(got) == 2 else None

    for case in cases:
        got = sub.run_probe(call_demo, func, case, make_x(case), case["perm"], case["tol"])
        expected = demo_expected(case)
        tol = f", tol={case['tol']}" if case["tol"] is not None else ""
        what = (f"positional_demo(layer, x, perm={case['perm']}{tol}) with layer = {DEMO_LAYERS[case['kind']]}, "
                f"x of shape {(case['batch'], case['t'], case['d_model'])}"
                + ("  (tol left at its default)" if case["tol"] is None else ""))
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise Mismatch(f"{what}\n  expected: a pair of bools (without, with_pe)\n  got:      {got!r}")
        if tuple(as_bool(v) for v in got) != expected:
            if case["tol"] is None and student(dict(case, tol=DEFAULT_TOL)) == expected:
                hint = "tol_default"
            else:
                probes = [c for c in ALL_DEMO_CASES if c is not case]
                hint = unique_hint(confirmed(student, demo_expected, demo_variants(), case, probes,
                                             same=same_answer))
            raise Mismatch(f"{what}\n  expected: {expected}\n  got:      {tuple(got)!r}" + hint_text(hint, HINTS))
