"""Public grading tests for exercises/attention_maps.py.

Models are small nn.Transformer encoder-decoders with seeded random weights: the same model is built in
your process (where your function receives it) and in the grader, which runs it in float64 with
pre-hooks that record what each attention module receives and recomputes softmax(Q K^T / sqrt(d) + mask)
from the module's weights. attention_weights is compared with nn.MultiheadAttention itself
(need_weights=True, average_attn_weights=False).

Promises of the docstrings and the tests that exercise them:

| promise | test(s) |
| --- | --- |
| attention_weights: module batch_first True and False, E/H with H > 1, B > 1, L_q != L_k | test_attention_weights_match_*, hidden: test_attention_weights_on_wider_modules |
| ... bool and float attn_mask, key_padding_mask, each combined with the other | test_attention_weights_match_* (masks drawn from all five combinations) |
| ... scaled by sqrt(E / H), softmax over keys, per head (not averaged) | test_attention_weights_match_* |
| ... attn left as given (batch_first, training flag, weights) | test_attention_weights_match_* |
| extract: dict of three kinds, one map per layer, first layer first, enc != dec layer counts | test_extract_*_shapes_rows_causality_and_padding, test_extract_*_match_the_forward_pass |
| ... post-LN and norm_first, final encoder norm before the memory | test_extract_*_match_the_forward_pass, hidden: test_extract_attention_maps_on_deeper_models |
| ... causal decoder self-attention, padding in encoder and cross-attention, padded rows sum to 1 | test_extract_*_shapes_rows_causality_and_padding |
| ... average_heads True and False | test_extract_*_match_the_forward_pass, hidden: test_extract_attention_maps_on_deeper_models |
| ... no hooks left, eval mode kept, fast path restored from True and from False, also after a call that raises | test_extract_attention_maps_leaves_the_model_as_it_was |
| plot: one panel per layer and head, row by row, each map as it is | test_plot_attention_maps_one_panel_per_layer_and_head, hidden: test_plot_attention_maps_of_encoder_self_attention |
| ... 3-D and 2-D maps | test_plot_* (per-head and head-averaged cases) |
| ... vmin=0, vmax=1 and the cmap asked for (default and others) | test_plot_* |
| ... panels titled with 1-based layer (and head) numbers, 2-D maps with the layer alone; figure title when given | test_plot_*, hidden: test_plot_attention_maps_of_encoder_self_attention |
| ... tick labels: both token lists, none, key tokens only or query tokens only | test_plot_*, hidden: test_plot_attention_maps_of_encoder_self_attention |
| ... one layer or several (up to 4); readable: panels placed as the grid says, not overlapping, cells >= 0.1 inch, titles and tick labels clear of other panels | test_plot_*, hidden: test_plot_attention_maps_of_encoder_self_attention |
| ... path a str or a pathlib.Path; a PNG that opens; the Figure returned | test_plot_*, hidden: test_plot_attention_maps_of_encoder_self_attention |
"""
from __future__ import annotations

import warnings

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, assert_close

from .attention_maps_support import (ATOL, EXERCISE, HINTS, RTOL, averaged, build_attention, build_model,
                                     check_plot, check_properties, check_values, describe_case, input_cases,
                                     make_inputs, map_variants, model_specs, oracle_maps, probe_attention,
                                     probe_extract, probe_plot, softmax_weights, structure)

pytestmark = pytest.mark.exercise(EXERCISE)


# ---------------------------------------------------------------- Part 1: one attention module
@st.composite
def attention_cases(draw, max_len=6, embed=(4, 6, 8, 12)):
    E = draw(st.sampled_from(embed), label="E")
    H = draw(st.sampled_from([h for h in (1, 2, 3, 4) if E % h == 0]), label="H")
    spec = dict(E=E, H=H, batch_first=draw(st.booleans(), label="module batch_first"),
                gain=draw(st.sampled_from([0.5, 2.0]), label="weight scale"),
                seed=draw(st.integers(0, 2**31 - 1), label="module seed"))
    case = dict(batch=draw(st.integers(1, 3), label="B"), L_q=draw(st.integers(1, max_len), label="L_q"),
                L_k=draw(st.integers(1, max_len), label="L_k"),
                mask=draw(st.sampled_from(["none", "bool", "float", "padding", "bool+padding", "float+padding"]),
                          label="masks"),
                seed=draw(st.integers(0, 2**31 - 1), label="input seed"))
    return spec, case


def attention_inputs(spec: dict, case: dict):
    """(query, key, attn_mask, key_padding_mask); key 0 is never masked, so no row is fully masked."""
    g = torch.Generator().manual_seed(case["seed"])
    B, L_q, L_k, E = case["batch"], case["L_q"], case["L_k"], spec["E"]
    query, key = torch.randn(B, L_q, E, generator=g), torch.randn(B, L_k, E, generator=g)
    attn_mask = key_padding_mask = None
    if "bool" in case["mask"]:
        attn_mask = torch.rand(L_q, L_k, generator=g) < 0.4
        attn_mask[:, 0] = False
    elif "float" in case["mask"]:
        attn_mask = torch.randn(L_q, L_k, generator=g)
    if "padding" in case["mask"]:
        lengths = torch.randint(1, L_k + 1, (B,), generator=g)
        key_padding_mask = torch.arange(L_k)[None, :] >= lengths[:, None]
    return query, key, attn_mask, key_padding_mask


def attention_what(spec, case, attn_mask, key_padding_mask) -> str:
    masks = []
    if attn_mask is not None:
        masks.append(f"attn_mask ({attn_mask.dtype}):\n{attn_mask}")
    if key_padding_mask is not None:
        masks.append(f"key_padding_mask (True = padding):\n{key_padding_mask}")
    return (f"attention_weights(attn, query, key, attn_mask, key_padding_mask) with attn = "
            f"nn.MultiheadAttention({spec['E']}, {spec['H']}, batch_first={spec['batch_first']}) (seed "
            f"{spec['seed']}, weight scale {spec['gain']}), query (B={case['batch']}, L_q={case['L_q']}, E), "
            f"key (B, L_k={case['L_k']}, E) Gaussian (seed {case['seed']})" + "".join(f"\n  {m}" for m in masks))


def torch_attention_weights(spec, query, key, attn_mask, key_padding_mask) -> torch.Tensor:
    """What nn.MultiheadAttention itself returns, computed in float64, batch-first (B, H, L_q, L_k)."""
    attn = build_attention(spec).double()
    q, k = query.double(), key.double()
    if not spec["batch_first"]:
        q, k = q.transpose(0, 1), k.transpose(0, 1)
    mask = attn_mask.double() if attn_mask is not None and attn_mask.is_floating_point() else attn_mask
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")     # "mismatched key_padding_mask and attn_mask" (float + bool)
        _, weights = attn(q, k, k, attn_mask=mask, key_padding_mask=key_padding_mask, need_weights=True,
                          average_attn_weights=False)
    return weights


def attention_variants(spec, query, key, attn_mask, key_padding_mask) -> dict:
    attn = build_attention(spec)
    args = (attn, query, key, attn_mask, key_padding_mask)
    out = {"no_scaling": softmax_weights(*args, scale="none"),
           "scale_by_embed_dim": softmax_weights(*args, scale="embed"),
           "softmax_missing": softmax_weights(*args, softmax="none"),
           "softmax_wrong_axis": softmax_weights(*args, softmax="queries")}
    if attn_mask is not None and attn_mask.dtype == torch.bool or key_padding_mask is not None:
        out["mask_inverted"] = softmax_weights(*args, invert_mask=True)
    if key_padding_mask is not None:
        out["padding_ignored"] = softmax_weights(attn, query, key, attn_mask, None)
    return out


def check_attention(got, expected, variants, what, reveal=True):
    g = got.detach().double() if isinstance(got, torch.Tensor) else got
    hint = None
    if isinstance(g, torch.Tensor) and g.shape != expected.shape:
        mean = expected.mean(dim=1)     # a hint only when the values are the head average
        if g.shape == mean.shape and torch.allclose(g, mean, rtol=RTOL, atol=ATOL):
            hint = "averaged_heads"
    elif isinstance(g, torch.Tensor) and not torch.allclose(g, expected, rtol=RTOL, atol=ATOL, equal_nan=True):
        # a variant reproduces the answer when it has finite values, NaN in the same places, and the same
        # finite values (an all-NaN answer reproduces nothing); claimed only when one hint matches
        found = {name for name, wrong in variants.items()
                 if wrong.shape == g.shape and bool(torch.isfinite(wrong).any())
                 and not torch.allclose(wrong, expected, rtol=RTOL, atol=ATOL, equal_nan=True)
                 and torch.equal(torch.isnan(wrong), torch.isnan(g))
                 and torch.allclose(g, wrong, rtol=RTOL, atol=ATOL, equal_nan=True)}
        hint = found.pop() if len(found) == 1 else None
    assert_close(got, expected, what, rtol=RTOL, atol=ATOL, reveal=reveal, hint=hint, hints=HINTS)


@weight(3)
@settings(max_examples=15)
@given(case=attention_cases())
@example(case=(dict(E=4, H=2, batch_first=True, gain=2.0, seed=1), dict(batch=1, L_q=3, L_k=3, mask="none", seed=2)))
@example(case=(dict(E=8, H=4, batch_first=False, gain=2.0, seed=7),
               dict(batch=2, L_q=4, L_k=5, mask="bool+padding", seed=3)))
@example(case=(dict(E=6, H=3, batch_first=True, gain=0.5, seed=5), dict(batch=2, L_q=2, L_k=4, mask="float", seed=4)))
def test_attention_weights_match_nn_multihead_attention(submission, case):
    """attention_weights: per-head softmax(q k^T / sqrt(d) + mask), the same as nn.MultiheadAttention's."""
    spec, inputs = case
    query, key, attn_mask, kpm = attention_inputs(spec, inputs)
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_attention, sub._handle(), dict(spec, report=True), query, key, attn_mask, kpm)
    expected = torch_attention_weights(spec, query, key, attn_mask, kpm)
    what = attention_what(spec, inputs, attn_mask, kpm)
    check_attention(out["result"], expected, attention_variants(spec, query, key, attn_mask, kpm),
                    what + "\n  compared with nn.MultiheadAttention's weights (need_weights=True, "
                    "average_attn_weights=False), shape (B, H, L_q, L_k)")
    if out["changed"]:
        raise Mismatch(f"{what}\n  the weights are right, but the call changed the module: "
                       + "; ".join(out["changed"]) + f"\nHint: {HINTS['module_changed']}")


# ---------------------------------------------------------------- Part 2: a whole model
def extract(sub, spec, inputs, average_heads=False):
    src, tgt, pad = make_inputs(spec, inputs)
    out = sub.run_probe(probe_extract, sub._handle(), spec, src, tgt, pad, average_heads)
    what = (f"extract_attention_maps(model, src, tgt, src_key_padding_mask"
            f"{', average_heads=True' if average_heads else ''}) on an {describe_case(spec, inputs)}")
    return out, what, (src, tgt, pad)


POST_LN_PADDED = (dict(d_model=8, nhead=2, enc=2, dec=2, ff=16, norm_first=False, seed=11),
                  dict(batch=2, S=5, T=4, lengths=[5, 3], seed=1))
PRE_LN = (dict(d_model=12, nhead=3, enc=2, dec=3, ff=8, norm_first=True, seed=5),
          dict(batch=2, S=4, T=5, lengths=None, seed=2))


@weight(2)
@settings(max_examples=10)
@given(case=st.tuples(model_specs(), input_cases()))
@example(case=POST_LN_PADDED)
def test_extract_attention_maps_shapes_rows_causality_and_padding(submission, case):
    """extract_attention_maps: one (B, H, L_q, L_k) map per layer and kind, rows sum to 1 (padded rows
    too), decoder self-attention is causal, padding keys get weight 0."""
    spec, inputs = case
    out, what, (src, tgt, pad) = extract(submission(EXERCISE), spec, inputs)
    expected = oracle_maps(spec, src, tgt, pad)
    got = structure(out["result"], expected, what, average_heads=False)
    check_properties(got, pad, what, lambda: map_variants(spec, src, tgt, pad, False), expected)


@weight(4)
@settings(max_examples=10)
@given(case=st.tuples(model_specs(), input_cases()), average_heads=st.booleans())
@example(case=POST_LN_PADDED, average_heads=False)
@example(case=PRE_LN, average_heads=False)
@example(case=(dict(d_model=8, nhead=4, enc=3, dec=2, ff=16, norm_first=False, seed=3),
               dict(batch=1, S=6, T=5, lengths=None, seed=9)), average_heads=True)
def test_extract_attention_maps_match_the_forward_pass(submission, case, average_heads):
    """extract_attention_maps: every layer's maps equal the grader's recomputation from the inputs that
    layer really receives (post-LN and pre-LN, with and without padding, per head or averaged)."""
    spec, inputs = case
    out, what, (src, tgt, pad) = extract(submission(EXERCISE), spec, inputs, average_heads)
    expected = oracle_maps(spec, src, tgt, pad)
    if average_heads:
        expected = averaged(expected)
    got = structure(out["result"], expected, what, average_heads)
    check_values(got, expected, lambda: map_variants(spec, src, tgt, pad, average_heads), what)


@weight(1)
@settings(max_examples=5)
@given(case=st.tuples(model_specs(max_layers=2), input_cases(max_len=5, padding=True)))
@example(case=POST_LN_PADDED)
def test_extract_attention_maps_leaves_the_model_as_it_was(submission, case):
    """No hooks left on any module, the fast-path setting restored (whatever it was, also after a call that
    raised), the model still in eval mode."""
    spec, inputs = case
    sub = submission(EXERCISE)
    out, what, (src, tgt, pad) = extract(sub, spec, inputs)
    _check_left_as_it_was(out, what)
    # from the non-default fast-path setting (off): it must still be off afterwards
    off = sub.run_probe(probe_extract, sub._handle(), spec, src, tgt, pad, False, False)
    _check_left_as_it_was(off, what + ", called with torch.backends.mha.get_fastpath_enabled() == False")
    # a call that fails inside the forward pass (src has d_model + 1 features): nothing may be left behind
    bad = torch.cat([src, src[..., :1]], dim=-1)
    failed = sub.run_probe(probe_extract, sub._handle(), spec, bad, tgt, pad, False, True)
    if failed["raised"]:
        _check_left_as_it_was(failed, f"{what}, but src with d_model + 1 = {spec['d_model'] + 1} features, so "
                                      f"the model's forward pass raises ({failed['raised']})")


def _check_left_as_it_was(out: dict, what: str) -> None:
    if out["hooks_left"]:
        raise Mismatch(f"{what}\n  {out['hooks_left']} hook(s) are still registered on the model after the call\n"
                       f"Hint: {HINTS['hooks_left']}")
    if out["fastpath_changed"]:
        raise Mismatch(f"{what}\n  torch.backends.mha.get_fastpath_enabled() was {out.get('fastpath_before', True)} "
                       f"before the call and is not after it\nHint: {HINTS['fastpath_not_restored']}")
    if out["training"]:
        raise Mismatch(f"{what}\n  the model was in eval mode and is in training mode after the call: use it as "
                       "given (model.train() would also switch dropout on)")


# ---------------------------------------------------------------- Part 3: plotting
PLOT_CASES = {
    "per-head maps with tokens": (dict(d_model=8, nhead=2, enc=2, dec=3, ff=16, norm_first=False, seed=21),
                                  dict(batch=1, S=5, T=4, lengths=None, seed=3), False,
                                  ["<s>", "Das", "ist", "gut"], ["This", "is", "good", ".", "</s>"],
                                  dict(title="Cross-attention, en -> de", cmap="magma")),
    "head-averaged maps, no tokens": (dict(d_model=12, nhead=4, enc=1, dec=2, ff=8, norm_first=True, seed=4),
                                      dict(batch=1, S=6, T=3, lengths=None, seed=8), True, None, None,
                                      dict(pathlib=True)),
}


def plot_call(options: dict, tokens: bool) -> str:
    """How the probe calls plot_attention_maps, in words."""
    args = ["maps", "pathlib.Path(...)" if options.get("pathlib") else "path"]
    if tokens:
        args.append("query_tokens=..., key_tokens=...")
    args += [f"{k}={options[k]!r}" for k in ("title", "cmap") if options.get(k) is not None]
    return f"plot_attention_maps({', '.join(args)})"


@weight(1)
@pytest.mark.parametrize("name", list(PLOT_CASES))
def test_plot_attention_maps_one_panel_per_layer_and_head(submission, name):
    """plot_attention_maps: a PNG that opens, and a Figure whose panels (axes with an image), read row by
    row, show layer 1 head 1, layer 1 head 2, ..., with the tokens as tick labels when given."""
    spec, inputs, average, query_tokens, key_tokens, options = PLOT_CASES[name]
    src, tgt, pad = make_inputs(spec, inputs)
    maps = oracle_maps(spec, src, tgt, pad)["decoder_cross"]
    maps = [m[0].float() for m in (averaged({"m": maps})["m"] if average else maps)]
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_plot, sub._handle(), maps, query_tokens, key_tokens, options)
    shape = tuple(maps[0].shape)
    what = (f"{plot_call(options, bool(key_tokens))} with {len(maps)} cross-attention maps of shape {shape} (one "
            f"example)" + (f"; query_tokens={query_tokens}, key_tokens={key_tokens}" if key_tokens else ""))
    check_plot(out, maps, what, query_tokens, key_tokens, title=options.get("title"),
               cmap=options.get("cmap") or "viridis")
