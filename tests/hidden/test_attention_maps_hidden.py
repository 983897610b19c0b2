"""Hidden tests for attention_maps: wider models and inputs, the reference solution as the oracle.

Feedback names the input and what was wrong, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings
from hypothesis import strategies as st

from ..public.attention_maps_support import (EXERCISE, build_attention, build_model, check_plot, check_properties,
                                             check_values, input_cases, make_inputs, map_variants, model_specs,
                                             probe_attention, probe_plot, structure)
from ..public.test_attention_maps import (attention_cases, attention_inputs, attention_variants, attention_what,
                                          check_attention, extract)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=10)
@given(case=attention_cases(max_len=10, embed=(8, 12, 16)))
def test_attention_weights_on_wider_modules(submission, reference, case):
    """attention_weights with E up to 16 and up to 10 positions, against the reference."""
    spec, inputs = case
    query, key, attn_mask, kpm = attention_inputs(spec, inputs)
    sub = submission(EXERCISE)
    got = sub.run_probe(probe_attention, sub._handle(), spec, query, key, attn_mask, kpm)
    expected = reference(EXERCISE).attention_weights(build_attention(spec), query, key, attn_mask, kpm).double()
    check_attention(got, expected, attention_variants(spec, query, key, attn_mask, kpm),
                    attention_what(spec, inputs, attn_mask, kpm), reveal=False)


@weight(2)
@visibility("after_due_date")
@settings(max_examples=6)
@given(case=st.tuples(model_specs(max_layers=4, d_models=(8, 12, 16)), input_cases(max_batch=4, max_len=10)),
       average_heads=st.booleans())
def test_extract_attention_maps_on_deeper_models(submission, reference, case, average_heads):
    """extract_attention_maps with up to 4 + 4 layers and 10 positions, against the reference."""
    spec, inputs = case
    out, what, (src, tgt, pad) = extract(submission(EXERCISE), spec, inputs, average_heads)
    ref = reference(EXERCISE).extract_attention_maps(build_model(spec), src, tgt, pad, average_heads=average_heads)
    expected = {k: [m.double() for m in v] for k, v in ref.items()}
    got = structure(out["result"], expected, what, average_heads)
    check_properties(got, pad, what, lambda: map_variants(spec, src, tgt, pad, average_heads), expected)
    check_values(got, expected, lambda: map_variants(spec, src, tgt, pad, average_heads), what, reveal=False)


@weight(1)
@visibility("after_due_date")
def test_plot_attention_maps_of_encoder_self_attention(submission, reference):
    """plot_attention_maps on four layers of 2-head encoder self-attention maps, key tokens only, a title,
    another colormap and a pathlib.Path; then on ONE layer of head-averaged maps with query tokens only."""
    spec = dict(d_model=8, nhead=2, enc=4, dec=1, ff=16, norm_first=False, seed=31)
    inputs = dict(batch=1, S=7, T=2, lengths=None, seed=12)
    src, tgt, pad = make_inputs(spec, inputs)
    maps = reference(EXERCISE).extract_attention_maps(build_model(spec), src, tgt, pad)["encoder_self"]
    maps = [m[0] for m in maps]
    tokens = ["The", "cat", "sat", "on", "the", "mat", "."]
    options = dict(title="Encoder self-attention", cmap="Blues", pathlib=True)
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_plot, sub._handle(), maps, None, tokens, options)   # key tokens only
    check_plot(out, maps, f"plot_attention_maps(maps, pathlib.Path(...), key_tokens=tokens, title={options['title']!r}, "
               f"cmap='Blues') with 4 encoder self-attention maps of shape {tuple(maps[0].shape)} (no query_tokens); "
               f"tokens={tokens}", None, tokens, title=options["title"], cmap="Blues")
    # a single layer (a list of one map), 2-D, with the query tokens only
    single = [maps[-1].mean(dim=0)]
    out = sub.run_probe(probe_plot, sub._handle(), single, tokens, None, {})
    check_plot(out, single, f"plot_attention_maps([one map of shape {tuple(single[0].shape)}], path, "
               f"query_tokens=tokens) (a single layer, averaged over the heads, no key_tokens); tokens={tokens}",
               tokens, None)
