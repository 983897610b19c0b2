"""Public grading tests for exercises/transformer.py.

Layers are run with the grader's weights copied into their parameters, and compared with PyTorch's
own nn.TransformerEncoderLayer holding the same weights (post-LN for Part A, norm_first=True for
Part C). Each of the five bugs of Part A has its own test, on weights and inputs built so that only
that bug shows. Part B's formulas are compared symbolically with the counts of real torch.nn modules.

Promises of the docstrings and the tests that exercise them:

| promise | test(s) |
| --- | --- |
| parameter names and shapes (ff1/ff2, ln1/ln2 with d_ff != d_model) | test_bug_ffn_*, test_bug_layernorms_*, every probe |
| n_heads > 1 and = 1, d_ff != d_model, B > 1, T >= 1 | test_transformer_layer_matches_*, hidden: test_transformer_layer_on_wider_settings |
| scores scaled by sqrt(d_head) | test_bug_attention_scores_are_scaled_* |
| heads split/merged in the stated feature order | test_transformer_layer_matches_* (n_heads > 1, T > 1) |
| mask=None, and a (B, T) mask reaching every head and query | test_bug_padding_mask_reaches_*, test_transformer_layer_matches_* |
| padded keys get weight 0 (masked scores not 0) | test_bug_padded_keys_get_zero_attention_weight |
| ... however negative the real scores (about -1e6), both layers | test_padded_keys_get_zero_weight_even_when_scores_are_very_negative |
| padding anywhere in a sequence, not only at its end | test_padded_keys_..._very_negative, hidden: test_*_on_wider_settings |
| padded positions still graded as queries | every masked comparison (all rows compared) |
| forward leaves x and mask unchanged | every probe run (checked after each call) |
| LayerNorms with the default eps 1e-5 (tiny inputs) | test_transformer_layer_matches_*, test_pre_ln_layer_in_eval_mode_* (pinned examples) |
| post-LN order (Part A), pre-LN order (Part C) | test_transformer_layer_matches_*, test_pre_ln_layer_in_eval_mode_* |
| dropout p honoured, three dropouts in order, none elsewhere | test_pre_ln_layer_in_train_mode_* (p 0.1/0.3/0.5), hidden: test_pre_ln_layer_on_wider_settings |
| default dropout=0.1 | test_pre_ln_layer_default_dropout_is_0_1 |
| dropout does nothing in eval mode (no scaling, no randomness) | test_dropout_changes_nothing_in_eval_mode, test_pre_ln_layer_in_eval_mode_* |
| parameter-count formulas in D and d_ff, both variants | test_param_count_formula_*, hidden: test_param_count_formula_equals_the_reference |
| by-hand values at D = 128, d_ff = 512 | test_by_hand_parameter_count |
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import (Mismatch, assert_close, check_keyed_answer, hint_text, is_integer, load_keys,
                               sympy_equivalent)
from autograder.errors import StudentCodeError

from .transformer_support import (EXERCISE, HINTS, by_name, case, check_output, close, first_hint, count_modules,
                                  count_variants, describe, expected_shapes, finite_fill_variants, fitted_count,
                                  layer_cases, make_case, manual_layer, mask_rows, probe_parameters, probe_run,
                                  run_torch, scaling_variants, torch_layer)

pytestmark = pytest.mark.exercise(EXERCISE)


def build(sub, cls: str, c: dict):
    args = (c["d_model"], c["n_heads"], c["d_ff"]) + ((c["p"],) if "p" in c else ())
    return getattr(sub, cls)(*args)


def run(sub, cls: str, c: dict, weights, x, mask, train_seed=None, repeat=1, eval_seed=None) -> dict:
    return sub.run_probe(probe_run, build(sub, cls, c), weights, x, mask, train_seed, repeat, eval_seed)


def run_masked(sub, cls: str, c: dict, weights, x, mask, what: str) -> dict:
    """``run`` with a padding mask; when the layer raises, say so, and name the unreshaped mask only when
    that is what happened: the layer runs on the same input without the mask, the error is a size
    mismatch, and a (B, T) mask cannot broadcast against (B, n_heads, T, T) scores at this B and T."""
    try:
        return run(sub, cls, c, weights, x, mask)
    except StudentCodeError as exc:
        hint = None
        B, T = mask.shape
        if exc.type_name == "RuntimeError" and "must match the size" in exc.message and B not in (1, T):
            try:
                run(sub, cls, c, weights, x, None)
                hint = "mask_broadcast"
            except StudentCodeError:
                pass
        raise Mismatch(f"{what}\n  {exc}" + hint_text(hint, HINTS)) from None


# ---------------------------------------------------------------- Part A: one test per bug
SIZES = [(8, 2, 16), (4, 1, 12), (6, 3, 4), (16, 4, 32)]


def _check_parameter_group(sub, prefixes: tuple[str, ...], hint_of) -> None:
    for d_model, n_heads, d_ff in SIZES:
        c = case(d_model, n_heads, d_ff, 1, 1)
        got = sub.run_probe(probe_parameters, build(sub, "TransformerLayer", c))
        want = expected_shapes(d_model, d_ff)
        what = describe("TransformerLayer", c).split(" with the")[0]
        for name in want:
            if not name.startswith(prefixes):
                continue
            if name not in got:
                raise Mismatch(f"{what}: it has no parameter {name!r}\n  its parameters: {sorted(got)}\n"
                               f"  (the parameter names are fixed: {sorted(want)})")
            if got[name] != want[name]:
                raise Mismatch(f"{what}: the shape of {name}\n  expected: {want[name]}\n  got:      {got[name]}"
                               + hint_text(hint_of(name, got[name], d_model, d_ff), HINTS))


@weight(1)
def test_bug_ffn_second_linear_maps_back_to_d_model(submission):
    """Bug: the FFN's layers are d_model -> d_ff -> d_model (ff1, ff2 shapes, d_ff != d_model)"""
    def hint(name, shape, d_model, d_ff):   # exactly the given code's nn.Linear(d_model, d_ff)
        return "ff2_dims" if {"ff2.weight": [d_ff, d_model], "ff2.bias": [d_ff]}.get(name) == shape else None
    _check_parameter_group(submission(EXERCISE), ("ff1.", "ff2."), hint)


@weight(1)
def test_bug_layernorms_normalise_d_model_features(submission):
    """Bug: both LayerNorms act on d_model features (ln1, ln2 shapes, d_ff != d_model)"""
    def hint(name, shape, d_model, d_ff):
        return "ln_dims" if shape == [d_ff] else None
    _check_parameter_group(submission(EXERCISE), ("ln1.", "ln2."), hint)


@weight(2)
@settings(max_examples=10)
@given(c=layer_cases(masked=False, same_ff=True))
@example(c=case(8, 2, 8, B=2, T=5, seed=3))
@example(c=case(16, 1, 16, B=1, T=4, seed=4))
def test_bug_attention_scores_are_scaled_by_sqrt_d_head(submission, c):
    """Bug: scores are divided by sqrt(d_head) (no mask, d_ff = d_model)"""
    weights, x, mask = make_case(c)
    got = run(submission(EXERCISE), "TransformerLayer", c, weights, x, mask)
    expected = run_torch(torch_layer(weights, c["n_heads"], norm_first=False), x, mask)
    check_output(got, expected, describe("TransformerLayer", c),
                 lambda: scaling_variants(weights, c, x, mask, norm_first=False))


@st.composite
def single_padded_sequences(draw):
    d_model, n_heads = draw(st.sampled_from([(4, 1), (6, 2), (8, 2), (12, 4)]), label="(d_model, n_heads)")
    T = draw(st.integers(2, 6), label="T")
    return case(d_model, n_heads, d_model, B=1, T=T, lengths=[draw(st.integers(1, T - 1), label="length")],
                seed=draw(st.integers(0, 2**16), label="seed"))


@weight(2)
@settings(max_examples=10)
@given(c=single_padded_sequences())
@example(c=case(4, 2, 4, B=1, T=4, lengths=[2], seed=0))
def test_bug_padded_keys_get_zero_attention_weight(submission, c):
    """Bug: masked scores become -inf before the softmax (W_q = 0, so every score is 0 and attention
    is uniform over the real tokens; one sequence)"""
    weights, x, mask = make_case(c)
    weights = dict(weights, **{"W_q.weight": torch.zeros_like(weights["W_q.weight"])})
    got = run(submission(EXERCISE), "TransformerLayer", c, weights, x, mask)
    layer = torch_layer(weights, c["n_heads"], norm_first=False)
    expected = run_torch(layer, x, mask)
    check_output(got, expected, describe("TransformerLayer", c, " and W_q = 0 (all scores 0)"),
                 lambda: {"mask_fill_zero": run_torch(layer, x, None)})


@st.composite
def batches_with_different_lengths(draw):
    d_model, n_heads = draw(st.sampled_from([(4, 1), (4, 2), (6, 3), (8, 2), (8, 4)]), label="(d_model, n_heads)")
    B = draw(st.integers(2, 4), label="B")
    T = draw(st.integers(2, 6), label="T")
    lengths = draw(st.lists(st.integers(1, T), min_size=B, max_size=B).filter(lambda v: len(set(v)) > 1),
                   label="lengths")
    return case(d_model, n_heads, d_model, B=B, T=T, lengths=lengths, seed=draw(st.integers(0, 2**16), label="seed"))


def constant_scores(weights: dict, x: torch.Tensor, a: float = 10.0):
    """Weights and input for which every query-key score is the same large number (x[..., 0] = 1 and
    W_q, W_k read only that feature): attention is uniform over the keys that are not masked, whatever
    the scaling, and a masked score of 0 is as good as -inf (exp(-100) is 0 in float32)."""
    x = x.clone()
    x[..., 0] = 1.0
    wq = torch.zeros_like(weights["W_q.weight"])
    wq[:, 0] = a
    return dict(weights, **{"W_q.weight": wq, "W_k.weight": wq.clone()}), x


def broadcast_variants(layer, x, mask, n_heads: int) -> dict:
    """What a (B, T) mask applied to (B, H, T, T) scores without reshaping does, when it runs at all."""
    B, T = mask.shape
    out = {}
    if B == T:   # aligned with (query, key): query i of every sequence uses sequence i's mask
        out["mask_broadcast"] = run_torch(layer, x, attn_mask=~mask)
    if B == n_heads:  # as (B, 1, T), aligned with (head, query, key): head h uses sequence h's mask
        per_head = (~mask)[:, None, :].expand(B, T, T)
        out["mask_broadcast#heads"] = run_torch(layer, x, attn_mask=per_head.repeat(B, 1, 1))
    return out


@weight(2)
@settings(max_examples=10)
@given(c=batches_with_different_lengths())
@example(c=case(4, 2, 4, B=3, T=3, lengths=[3, 1, 2], seed=1))
@example(c=case(8, 2, 8, B=2, T=5, lengths=[5, 2], seed=2))
@example(c=case(6, 3, 6, B=2, T=4, lengths=[1, 4], seed=5))
def test_bug_padding_mask_reaches_every_head_and_query(submission, c):
    """Bug: the (B, T) mask is reshaped to (B, 1, 1, T) (several sequences with different lengths;
    all scores equal, so attention is uniform over each sequence's real tokens)"""
    weights, x, mask = make_case(c)
    weights, x = constant_scores(weights, x)
    what = describe("TransformerLayer", c, "; x[..., 0] = 1 and W_q, W_k read only that feature, so all "
                                           "scores are equal")
    got = run_masked(submission(EXERCISE), "TransformerLayer", c, weights, x, mask, what)
    layer = torch_layer(weights, c["n_heads"], norm_first=False)
    check_output(got, run_torch(layer, x, mask), what, lambda: broadcast_variants(layer, x, mask, c["n_heads"]))


@st.composite
def very_negative_cases(draw):
    d_model, n_heads = draw(st.sampled_from([(4, 1), (4, 2), (6, 3), (8, 2)]), label="(d_model, n_heads)")
    B = draw(st.integers(2, 3), label="B")
    T = draw(st.integers(2, 5), label="T")
    rows = [draw(mask_rows(T), label=f"mask row of sequence {b}") for b in range(B)]
    return case(d_model, n_heads, d_model + 4, B=B, T=T, rows=rows, seed=draw(st.integers(0, 2**16), label="seed"))


def very_negative_scores(weights: dict, x: torch.Tensor, norm_first: bool, a: float = 1000.0):
    """Weights and input for which every query-key score is the same, about -a^2 sqrt(d_head) <= -1e6: the
    attention input's feature 0 is 1 at every position (x itself, or ln1's output with scale 0 and shift 1
    there), W_q reads it with +a and W_k with -a. Attention is uniform over the real keys, and a masked
    score must be far below -1e6 to get no weight."""
    x = x.clone()
    x[..., 0] = 1.0
    wq = torch.zeros_like(weights["W_q.weight"])
    wq[:, 0] = a
    extra = {"W_q.weight": wq, "W_k.weight": -wq}
    if norm_first:
        extra["ln1.weight"] = weights["ln1.weight"].clone()
        extra["ln1.bias"] = weights["ln1.bias"].clone()
        extra["ln1.weight"][0], extra["ln1.bias"][0] = 0.0, 1.0
    return dict(weights, **extra), x


@weight(1)
@settings(max_examples=6)
@given(c=very_negative_cases(), cls=st.sampled_from(["TransformerLayer", "PreLNTransformerLayer"]))
@example(c=case(4, 2, 8, B=2, T=4, rows=["1100", "1111"], seed=3), cls="TransformerLayer")
@example(c=case(6, 3, 10, B=3, T=4, rows=["0110", "1011", "1110"], seed=4), cls="PreLNTransformerLayer")
def test_padded_keys_get_zero_weight_even_when_scores_are_very_negative(submission, c, cls):
    """Padded keys get zero weight even when every real score is about -1e6 (padding anywhere in a sequence)"""
    norm_first = cls == "PreLNTransformerLayer"
    if norm_first:
        c = dict(c, p=0.1)
    weights, x, mask = make_case(c)
    weights, x = very_negative_scores(weights, x, norm_first)
    what = describe(cls, c, (", eval mode" if norm_first else "") + "; W_q and W_k read only feature 0 of the "
                    "attention's input, which is 1 everywhere, so every real score is the same number, about -1e6")
    sub = submission(EXERCISE)
    got = run_masked(sub, cls, c, weights, x, mask, what)
    expected = run_torch(torch_layer(weights, c["n_heads"], norm_first=norm_first, p=c.get("p", 0.0)), x, mask)
    if "problem" in got or close(got["out"], expected):
        check_output(got, expected, what)
        return
    hint = None
    if close(got["out"], finite_fill_variants(weights, c, x, mask, norm_first)["mask_fill_finite"]):
        hint = "mask_fill_finite"
        # a fill of 0 gives the same output here: the all-zero-scores input of the mask_fill_zero test tells
        zero = dict(make_case(c)[0], **{"W_q.weight": torch.zeros_like(weights["W_q.weight"])})
        probe = run(sub, cls, c, zero, x, mask)
        zero_expected = run_torch(torch_layer(zero, c["n_heads"], norm_first=norm_first, p=c.get("p", 0.0)), x, mask)
        if "out" in probe and not close(probe["out"], zero_expected):
            hint = "mask_fill_zero" if close(probe["out"], manual_layer(zero, c["n_heads"], x, mask, norm_first,
                                                                        fill=0.0)) else None
    check_output(got, expected, what, hint=hint)


# ---------------------------------------------------------------- Part A: the whole layer
@weight(2)
@settings(max_examples=15)
@given(c=layer_cases())
@example(c=case(8, 2, 32, B=2, T=5, lengths=[5, 3], seed=11))
@example(c=case(16, 4, 64, B=3, T=4, lengths=None, seed=12))
@example(c=case(8, 2, 16, B=2, T=3, lengths=[3, 2], seed=13, tiny=True))
def test_transformer_layer_matches_torch_encoder_layer(submission, c):
    """TransformerLayer equals nn.TransformerEncoderLayer (post-LN) with the same weights, with and without masks"""
    weights, x, mask = make_case(c)
    got = run(submission(EXERCISE), "TransformerLayer", c, weights, x, mask)
    expected = run_torch(torch_layer(weights, c["n_heads"], norm_first=False), x, mask)
    check_output(got, expected, describe("TransformerLayer", c), lambda: scaling_variants(weights, c, x, mask))


# ---------------------------------------------------------------- Part B
FORMULAS = {"param_count_formula": False, "param_count_formula_all_biases": True}


def _student_formula(sub, func: str):
    return by_name(getattr(sub, func)(), f"{func}()")


@weight(2)
@pytest.mark.parametrize("func", sorted(FORMULAS))
def test_param_count_formula_is_symbolically_right(submission, func):
    """The formula equals the count of real torch.nn modules, as a polynomial in D and d_ff"""
    got = _student_formula(submission(EXERCISE), func)
    expected = fitted_count(FORMULAS[func])
    if sympy_equivalent(got, expected):
        return
    hint = next((h.split("#")[0] for h, v in count_variants(FORMULAS[func]).items()
                 if sympy_equivalent(got, v)), None)
    raise Mismatch(f"{func}() = {got}\n  is not the number of parameters of the layer "
                   f"({'all four attention projections with a bias' if FORMULAS[func] else 'biases as in the given layer'});"
                   f" compared symbolically with the parameter counts of real torch.nn modules"
                   + hint_text(hint, HINTS))


@weight(1)
@settings(max_examples=15)
@given(func=st.sampled_from(sorted(FORMULAS)), n_heads=st.integers(1, 8), head_dim=st.integers(1, 32),
       d_ff=st.integers(1, 2048))
@example(func="param_count_formula", n_heads=8, head_dim=16, d_ff=512)
def test_param_count_formula_matches_module_counts(submission, func, n_heads, head_dim, d_ff):
    """The formula at (D, d_ff) equals the number of parameters of real modules of that size"""
    got = _student_formula(submission(EXERCISE), func)
    d_model = n_heads * head_dim
    value = got.xreplace({sym: val for sym, val in ((s, d_model if s.name == "D" else d_ff)
                                                      for s in got.free_symbols)})
    expected = count_modules(d_model, n_heads, d_ff, FORMULAS[func])
    if value != expected:
        kind = ("nn.TransformerEncoderLayer (every projection has a bias)" if FORMULAS[func] else
                "3 x nn.Linear(D, D, bias=False) + nn.Linear(D, D) + nn.Linear(D, d_ff) + nn.Linear(d_ff, D) "
                "+ 2 x nn.LayerNorm(D)")
        raise Mismatch(f"{func}() at D={d_model}, d_ff={d_ff} (n_heads={n_heads})\n  expected: {expected}   "
                       f"(parameters of {kind})\n  got:      {value}")


KEYS = load_keys(EXERCISE, __import__("pathlib").Path(__file__).resolve().parents[2])


def _validate_count(value):
    if is_integer(value) or (isinstance(value, float) and value.is_integer()):
        return None
    return "a parameter count is a whole number (a Python int)."


@weight(1)
@pytest.mark.parametrize("part", sorted(KEYS["parts"]))
def test_by_hand_parameter_count(submission, part):
    """The parameter count at D = 128, d_ff = 512"""
    got = getattr(submission(EXERCISE), part)()
    check_keyed_answer(got, KEYS, EXERCISE, part, f"{part}()", hints=HINTS, validate=_validate_count)


# ---------------------------------------------------------------- Part C
def _with_p(c: dict, p: float) -> dict:
    return dict(c, p=p)


def _check_pre_ln_eval(sub, c, weights, x, mask, reveal=True, expected=None):
    got = run(sub, "PreLNTransformerLayer", c, weights, x, mask, repeat=2)
    if expected is None:
        expected = run_torch(torch_layer(weights, c["n_heads"], norm_first=True, p=c["p"]), x, mask)
    hint = None
    what = describe("PreLNTransformerLayer", c, ", eval mode")
    if "outs" in got and not torch.equal(got["outs"][0], got["outs"][1]):
        what += "; two calls on the same input gave different outputs"
        hint = dropout_in_eval_confirmed(sub, c, weights, x, mask)
    check_output(got, expected, what, lambda: scaling_variants(weights, c, x, mask, norm_first=True),
                 reveal=reveal, hint=hint)


def dropout_in_eval_confirmed(sub, c, weights, x, mask, seed: int = 1234) -> str | None:
    """"dropout_in_eval" when the layer in eval mode, after torch.manual_seed(s), gives exactly what
    PyTorch's layer gives in TRAIN mode after the same seed (so its dropouts are on in eval mode)."""
    seeded = run(sub, "PreLNTransformerLayer", c, weights, x, mask, eval_seed=seed)
    train = run_torch(torch_layer(weights, c["n_heads"], norm_first=True, p=c["p"], dtype=torch.float32), x, mask,
                      train_seed=seed)
    return "dropout_in_eval" if "out" in seeded and close(seeded["out"], train) else None


@weight(2)
@settings(max_examples=12)
@given(c=layer_cases(), p=st.sampled_from([0.0, 0.1, 0.5]))
@example(c=case(8, 2, 32, B=2, T=5, lengths=[5, 3], seed=21), p=0.1)
@example(c=case(12, 3, 8, B=2, T=3, seed=22, tiny=True), p=0.1)
def test_pre_ln_layer_in_eval_mode_matches_torch(submission, c, p):
    """PreLNTransformerLayer in eval mode equals nn.TransformerEncoderLayer(norm_first=True) with the same weights"""
    c = _with_p(c, p)
    weights, x, mask = make_case(c)
    _check_pre_ln_eval(submission(EXERCISE), c, weights, x, mask)


@weight(3)
@settings(max_examples=12)
@given(c=layer_cases(), p=st.sampled_from([0.1, 0.3, 0.5]), train_seed=st.integers(0, 2**16))
@example(c=case(8, 2, 32, B=2, T=5, lengths=[5, 3], seed=31), p=0.5, train_seed=7)
def test_pre_ln_layer_in_train_mode_draws_the_same_dropout_masks(submission, c, p, train_seed):
    """PreLNTransformerLayer in train mode, after torch.manual_seed(s), equals PyTorch's layer after the same seed"""
    c = _with_p(c, p)
    weights, x, mask = make_case(c)
    sub = submission(EXERCISE)
    got = run(sub, "PreLNTransformerLayer", c, weights, x, mask, train_seed=train_seed)
    expected = run_torch(torch_layer(weights, c["n_heads"], norm_first=True, p=p, dtype=torch.float32), x, mask,
                         train_seed=train_seed)
    what = describe("PreLNTransformerLayer", c, f", train mode after torch.manual_seed({train_seed})")
    if "problem" in got or close(got["out"], expected):
        check_output(got, expected, what)
        return
    _check_pre_ln_eval(sub, c, weights, x, mask)   # wrong in eval mode too: say so first
    check_output(got, expected, what, hint="dropout_place")


@weight(1)
@settings(max_examples=8)
@given(c=layer_cases(max_batch=2, max_T=4))
def test_dropout_changes_nothing_in_eval_mode(submission, c):
    """In eval mode the layer with dropout=0.5 gives the same output as with dropout=0, on every call"""
    weights, x, mask = make_case(c)
    sub = submission(EXERCISE)
    got = run(sub, "PreLNTransformerLayer", _with_p(c, 0.5), weights, x, mask, repeat=3)
    plain = run(sub, "PreLNTransformerLayer", _with_p(c, 0.0), weights, x, mask)
    what = describe("PreLNTransformerLayer", _with_p(c, 0.5), ", eval mode")
    for result in (got, plain):
        if "problem" in result:
            raise Mismatch(f"{what}\n  {result['problem']}"
                           + hint_text("input_modified" if result.get("input_modified") else None, HINTS))
    for i, out in enumerate(got["outs"]):
        if not close(out, plain["out"]):
            differ = any(not torch.equal(o, got["outs"][0]) for o in got["outs"])
            c5 = _with_p(c, 0.5)
            if differ:
                hint = dropout_in_eval_confirmed(sub, c5, weights, x, mask)
            else:
                hint = first_hint(out, plain["out"], {"eval_dropout_scaled": manual_layer(
                    weights, c["n_heads"], x, mask, True, eval_scale=0.5)})
            note = ("; the three calls gave different outputs" if differ else
                    "; every call gave the same output, which differs from the layer built with dropout=0.0")
            assert_close(out, plain["out"], f"{what}{note}\n  call {i + 1} of 3, compared with the same layer "
                                            "built with dropout=0.0:", rtol=1e-4, atol=1e-4, hint=hint, hints=HINTS,
                         labels=("with dropout=0.5", "with dropout=0.0"))


@weight(1)
@settings(max_examples=4)
@given(c=layer_cases(max_batch=2, max_T=4), train_seed=st.integers(0, 2**16))
@example(c=case(8, 2, 16, B=2, T=4, lengths=[4, 2], seed=41), train_seed=5)
def test_pre_ln_layer_default_dropout_is_0_1(submission, c, train_seed):
    """PreLNTransformerLayer(d_model, n_heads, d_ff), built without the dropout argument, drops out with p = 0.1"""
    weights, x, mask = make_case(c)
    sub = submission(EXERCISE)
    got = run(sub, "PreLNTransformerLayer", c, weights, x, mask, train_seed=train_seed)
    expected = run_torch(torch_layer(weights, c["n_heads"], norm_first=True, p=0.1, dtype=torch.float32), x, mask,
                         train_seed=train_seed)
    what = describe("PreLNTransformerLayer", c, f" (built without the dropout argument), train mode after "
                                                f"torch.manual_seed({train_seed})")
    if "problem" in got or close(got["out"], expected):
        check_output(got, expected, what)
        return
    explicit = run(sub, "PreLNTransformerLayer", _with_p(c, 0.1), weights, x, mask, train_seed=train_seed)
    hint = "dropout_default" if "out" in explicit and close(explicit["out"], expected) else None
    check_output(got, expected, what + ("" if hint else "; built with dropout=0.1 it differs too"), hint=hint)
