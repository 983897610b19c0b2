"""Shared by the public and hidden attention-map tests: hints, small seeded transformers, strategies,
probes and oracles.

The grader never needs ``transformers`` or pretrained weights: it grades on small ``nn.Transformer``
models whose weights come from a seed. A model is built twice from the same spec: in the worker (by
a probe, where the student's function gets the real ``nn.Module``) and in the grader, where the
oracle runs the same model in float64 with pre-hooks that record what each attention module
receives, and recomputes softmax(Q K^T / sqrt(d) + mask) itself from the module's weights.
"""
from __future__ import annotations

import functools
import math
import warnings

import torch
from hypothesis import strategies as st
from torch import nn

from autograder.checks import Mismatch, assert_close, exceeds, png_pixels

EXERCISE = "attention_maps"

KINDS = ("encoder_self", "decoder_self", "decoder_cross")

HINTS = {
    "softmax_missing": "these are the raw scores q.k / sqrt(d): attention weights are their softmax over the "
                       "keys (the last axis), so that every row sums to 1.",
    "no_scaling": "the scores were not divided by sqrt(d) (d = E / H, the size of ONE head) before the softmax.",
    "scale_by_embed_dim": "the scores were divided by sqrt(E); each head has size d = E / H, divide by sqrt(d).",
    "softmax_wrong_axis": "the softmax was taken over the queries (dim=-2); each query's row is a distribution "
                          "over the keys, so use the last axis.",
    "mask_inverted": "the boolean mask was read the wrong way round: in nn.MultiheadAttention True means "
                     "'not allowed' (fill with -inf), False means 'allowed'.",
    "padding_ignored": "padding keys must get weight 0: apply the key padding mask (True = padding) to the keys "
                       "of encoder self-attention and of cross-attention (memory_key_padding_mask).",
    "averaged_heads": "these maps are averaged over the heads: nn.MultiheadAttention averages unless you pass "
                      "average_attn_weights=False; per-head maps have shape (B, H, L_q, L_k).",
    "per_head_returned": "with average_heads=True the head axis must be averaged away: (B, L_q, L_k).",
    "causal_mask": "decoder self-attention must be causal: pass tgt_mask = "
                   "nn.Transformer.generate_square_subsequent_mask(T) so that position t only sees 0..t "
                   "(weights above the diagonal are exactly 0).",
    "layer_order": "the layers are listed in the wrong order: list them in the order the input flows through "
                   "them, first layer first.",
    "memory_before_norm": "cross-attention must see the encoder's final output, AFTER model.encoder.norm (the "
                          "encoder's last LayerNorm): that is the memory nn.Transformer hands to the decoder.",
    "pre_ln_input": "with norm_first=True a layer attends over LayerNorm(x) (norm1, or norm2 for "
                    "cross-attention), not over x itself.",
    "nested_fastpath": "the rows of padded source positions are all zeros: nn.TransformerEncoder ran its "
                       "nested-tensor fast path, which drops padded positions. Switch it off with "
                       "torch.backends.mha.set_fastpath_enabled(False) while extracting (and restore it).",
    "hooks_left": "remove every hook you registered (keep the handle that register_forward_hook returns and "
                  "call handle.remove(), in a finally block) so that the model is left as it was.",
    "fastpath_not_restored": "restore torch.backends.mha.set_fastpath_enabled(...) to the value it had before "
                             "the call (read it with get_fastpath_enabled() first; restore in a finally block).",
    "wrong_keys": "return a dict with exactly the keys 'encoder_self', 'decoder_self' and 'decoder_cross', each "
                  "a list with one tensor per layer.",
    "panel_count": "draw one panel (one imshow) per layer and head: a grid with one row per layer and one column "
                   "per head (one column for 2-D maps); a colorbar's axes does not count.",
    "panel_order": "panels must be read row by row as layer 1 head 1, layer 1 head 2, ..., then layer 2: one "
                   "row per LAYER, one column per HEAD.",
    "panel_transposed": "a panel shows the map transposed: imshow the (L_q, L_k) matrix as it is, so rows are "
                        "queries (y axis) and columns are keys (x axis).",
    "tick_labels": "with tokens given, put every key token as an x tick label and every query token as a y tick "
                   "label of each panel (ax.set_xticks(range(L_k), labels=key_tokens), same for y).",
    "not_a_figure": "return the matplotlib Figure you saved (matplotlib.figure.Figure), not the path or None.",
    "map_transposed": "these maps are the expected ones transposed (L_k, L_q): row i must be query i and column j "
                      "key j, (B, H, L_q, L_k) per head; cross-attention maps are (T, S).",
    "memory_padding_ignored": "encoder self-attention masks the padding, but cross-attention gives padded source "
                              "positions weight: pass the padding mask to the decoder too, as "
                              "memory_key_padding_mask (the memory has the source's padding).",
    "color_range": "draw every panel on the same fixed colour scale: imshow(..., vmin=0, vmax=1); without them "
                   "each panel is stretched to its own minimum and maximum and panels cannot be compared.",
    "cmap": "use the colormap the caller asks for: pass cmap=cmap to every imshow.",
    "title": "with title given, put it on the whole figure (fig.suptitle(title)), not on a panel and not "
             "dropped.",
    "panel_titles": "title every panel with its layer and head numbers, counted from 1 (e.g. ax.set_title("
                    "f\"layer {l + 1}, head {h + 1}\")).",
    "panel_titles_2d": "2-D maps (one map per layer, e.g. averaged over the heads) have no head: title each panel "
                       "with its layer number alone, e.g. \"layer 2\", without a head number.",
    "layout": "size the figure for its grid of panels (e.g. figsize=(w * heads, h * layers) inches, w and h "
              "growing with the number of tokens, and/or fig.tight_layout()): panels in one row per layer and "
              "one column per head, not overlapping, each map cell at least 0.1 inch, and titles and tick "
              "labels clear of the neighbouring panels.",
    "module_changed": "attention_weights must leave the module as it was given: do not set attn.batch_first "
                      "(transpose your inputs instead), its training flag or its weights; if you change "
                      "something to call it, restore it before returning (in a finally block).",
}


# ---------------------------------------------------------------- small seeded transformers
def build_model(spec: dict) -> nn.Transformer:
    """The ``nn.Transformer`` described by ``spec`` (d_model, nhead, enc, dec, ff, norm_first, seed):
    batch-first, dropout 0.1, eval mode, every parameter drawn from the seed (peaky attention)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # nested-tensor notes about norm_first / odd nhead
        model = nn.Transformer(d_model=spec["d_model"], nhead=spec["nhead"], num_encoder_layers=spec["enc"],
                               num_decoder_layers=spec["dec"], dim_feedforward=spec["ff"], dropout=0.1,
                               batch_first=True, norm_first=spec["norm_first"])
    g = torch.Generator().manual_seed(int(spec["seed"]))
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            if p.dim() > 1:
                gain = 1.6 if "in_proj" in name else 1.0            # in_proj: peaky, far-from-uniform maps
                p.copy_(noise * gain / math.sqrt(p.shape[1]))
            elif "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * noise)
            else:
                p.copy_(0.2 * noise)
    return model.eval()


def make_inputs(spec: dict, inputs: dict):
    """(src, tgt, pad): Gaussian embedded source (B, S, E) and target (B, T, E); pad is None or a boolean
    (B, S) mask with True at the padding at the END of each sequence (each keeps >= 1 real token)."""
    g = torch.Generator().manual_seed(int(inputs["seed"]))
    B, S, T, E = inputs["batch"], inputs["S"], inputs["T"], spec["d_model"]
    src = torch.randn(B, S, E, generator=g)
    tgt = torch.randn(B, T, E, generator=g)
    pad = None
    if inputs.get("lengths"):
        pad = torch.arange(S)[None, :] >= torch.tensor(inputs["lengths"])[:, None]
    return src, tgt, pad


@st.composite
def model_specs(draw, max_layers=3, d_models=(4, 8, 12)):
    d_model = draw(st.sampled_from(d_models), label="d_model")
    nhead = draw(st.sampled_from([h for h in (1, 2, 3, 4) if d_model % h == 0]), label="nhead")
    return dict(d_model=d_model, nhead=nhead, enc=draw(st.integers(1, max_layers), label="encoder layers"),
                dec=draw(st.integers(1, max_layers), label="decoder layers"),
                ff=draw(st.sampled_from([8, 16]), label="dim_feedforward"),
                norm_first=draw(st.booleans(), label="norm_first"),
                seed=draw(st.integers(0, 2**31 - 1), label="model seed"))


@st.composite
def input_cases(draw, max_batch=3, max_len=7, padding=None):
    batch = draw(st.integers(1, max_batch), label="batch")
    S = draw(st.integers(1, max_len), label="S")
    T = draw(st.integers(1, max_len), label="T")
    use_pad = draw(st.booleans(), label="padding") if padding is None else padding
    lengths = None
    if use_pad and S > 1:
        lengths = draw(st.lists(st.integers(1, S), min_size=batch, max_size=batch), label="source lengths")
        lengths[0] = S                                   # one full sequence, like a real padded batch
        if batch > 1 and all(n == S for n in lengths):
            lengths[-1] = S - 1
    return dict(batch=batch, S=S, T=T, lengths=lengths, seed=draw(st.integers(0, 2**31 - 1), label="input seed"))


def describe_case(spec: dict, inputs: dict) -> str:
    pad = f", source lengths {inputs['lengths']} (padding at the end)" if inputs.get("lengths") else ", no padding"
    return (f"nn.Transformer(d_model={spec['d_model']}, nhead={spec['nhead']}, num_encoder_layers={spec['enc']}, "
            f"num_decoder_layers={spec['dec']}, dim_feedforward={spec['ff']}, norm_first={spec['norm_first']}, "
            f"batch_first=True) with seed {spec['seed']}, eval mode; src (B={inputs['batch']}, S={inputs['S']}, "
            f"E), tgt (B, T={inputs['T']}, E) Gaussian with seed {inputs['seed']}{pad}")


# ---------------------------------------------------------------- probes (run beside the student code)
def _hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def probe_extract(module, spec: dict, src, tgt, pad, average_heads: bool, start_fastpath: bool | None = None):
    """extract_attention_maps on a model built here; also reports what it left behind on the model.
    ``start_fastpath``: the fast-path setting to call it with (None: leave the current one); the setting
    of before the probe is always restored at its end. A call that raises (a deliberately broken input,
    see ``probe_extract_failing``) is reported as ``raised`` instead of a result."""
    model = build_model(spec)
    outer = torch.backends.mha.get_fastpath_enabled()
    if start_fastpath is not None:
        torch.backends.mha.set_fastpath_enabled(bool(start_fastpath))
    before = torch.backends.mha.get_fastpath_enabled()
    result, raised = None, None
    try:
        kwargs = {"average_heads": True} if average_heads else {}
        try:
            result = module.extract_attention_maps(model, src, tgt, pad, **kwargs)
        except Exception as exc:
            if start_fastpath is None:
                raise
            raised = f"{type(exc).__name__}: {exc}"[:300]
        after = torch.backends.mha.get_fastpath_enabled()
    finally:
        fastpath_changed = torch.backends.mha.get_fastpath_enabled() != before
        torch.backends.mha.set_fastpath_enabled(outer)
    return {"result": result, "raised": raised, "hooks_left": _hook_count(model), "fastpath_before": bool(before),
            "fastpath_changed": bool(after != before) or fastpath_changed,
            "training": bool(any(m.training for m in model.modules()))}


probe_extract.describes = "extract_attention_maps"


def build_attention(spec: dict) -> nn.MultiheadAttention:
    """A seeded nn.MultiheadAttention (embed_dim E, num_heads H, batch_first as given), eval mode."""
    attn = nn.MultiheadAttention(spec["E"], spec["H"], dropout=0.1, batch_first=spec["batch_first"])
    g = torch.Generator().manual_seed(int(spec["seed"]))
    with torch.no_grad():
        attn.in_proj_weight.copy_(torch.randn(attn.in_proj_weight.shape, generator=g) * spec["gain"]
                                  / math.sqrt(spec["E"]))
        attn.in_proj_bias.copy_(0.3 * torch.randn(attn.in_proj_bias.shape, generator=g))
    return attn.eval()


def _module_state(attn: nn.MultiheadAttention) -> tuple:
    return (attn.batch_first, attn.training, attn.embed_dim, attn.num_heads,
            tuple((n, p.detach().clone()) for n, p in attn.named_parameters()))


def module_changes(before: tuple, after: tuple) -> list[str]:
    """What differs between two ``_module_state``s, in words."""
    out = [f"{name} was {a} and is {b} after the call" for name, a, b in
           zip(("attn.batch_first", "attn.training", "attn.embed_dim", "attn.num_heads"), before[:4], after[:4])
           if a != b]
    names_a, names_b = [n for n, _ in before[4]], [n for n, _ in after[4]]
    if names_a != names_b:
        out.append(f"its parameters were {names_a} and are {names_b} after the call")
    else:
        out += [f"its parameter {n} holds other values after the call" for (n, a), (_, b) in zip(before[4], after[4])
                if a.shape != b.shape or not torch.equal(a, b)]
    return out


def probe_attention(module, spec: dict, query, key, attn_mask, key_padding_mask):
    """attention_weights on a module built here; with ``spec["report"]``, also what the call changed on it."""
    attn = build_attention(spec)
    before = _module_state(attn)
    result = module.attention_weights(attn, query, key, attn_mask, key_padding_mask)
    if not spec.get("report"):
        return result
    return {"result": result, "changed": module_changes(before, _module_state(attn))}


probe_attention.describes = "attention_weights"


def probe_plot(module, maps: list, query_tokens, key_tokens, options: dict | None = None):
    """plot_attention_maps into a fresh temporary folder: the PNG's bytes and, from the Figure returned,
    every axes that holds an image: its data (as drawn) and tick labels."""
    import os
    import shutil
    import tempfile

    import numpy as np

    folder = tempfile.mkdtemp(prefix="attention_maps_")
    try:
        options = options or {}
        path = os.path.join(folder, "maps.png")
        kwargs = {k: options[k] for k in ("title", "cmap") if options.get(k) is not None}
        if query_tokens is not None:
            kwargs["query_tokens"] = query_tokens
        if key_tokens is not None:
            kwargs["key_tokens"] = key_tokens
        if options.get("pathlib"):
            import pathlib
            path = pathlib.Path(path)
        fig = module.plot_attention_maps(maps, path, **kwargs)
        png = None
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                png = np.frombuffer(fh.read(), dtype=np.uint8).copy()
        out = {"png": png, "figure": type(fig).__name__, "panels": [], "xticks": [], "yticks": [], "clims": [],
               "cmaps": [], "titles": [], "figure_texts": [], "boxes": [], "texts": []}
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        if isinstance(fig, Figure):
            if not isinstance(fig.canvas, FigureCanvasAgg):  # e.g. a pyplot figure after plt.close
                FigureCanvasAgg(fig)
            fig.draw_without_rendering()                   # positions and tick labels are final once drawn
            renderer = fig.canvas.get_renderer()
            dpi = float(fig.dpi)

            def inches(bbox):
                return [float(bbox.x0) / dpi, float(bbox.y0) / dpi, float(bbox.x1) / dpi, float(bbox.y1) / dpi]

            for ax in fig.axes:
                if not ax.images:
                    continue
                # where the panel and its texts are, in inches from the figure's lower left corner
                out["boxes"].append(inches(ax.get_window_extent(renderer)))
                texts = [ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)]
                for axis in (ax.xaxis, ax.yaxis):            # tick labels drawn: ticks inside the view limits
                    lo, hi = sorted(float(v) for v in axis.get_view_interval())
                    texts += [label for loc, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels())
                              if lo - 1e-9 <= float(loc) <= hi + 1e-9]
                out["texts"].append([[str(t.get_text()), *inches(t.get_window_extent(renderer))] for t in texts
                                     if t is not None and t.get_visible() and str(t.get_text()).strip()])
                out["panels"].append([np.asarray(im.get_array(), dtype=np.float64) for im in ax.images])
                out["clims"].append([[float(v) for v in im.get_clim()] for im in ax.images])
                out["cmaps"].append([str(im.get_cmap().name) for im in ax.images])
                out["titles"].append(" ".join(ax.get_title(loc=loc) for loc in ("left", "center", "right")).strip())
                out["xticks"].append([t.get_text() for t in ax.get_xticklabels()])
                out["yticks"].append([t.get_text() for t in ax.get_yticklabels()])
            out["figure_texts"] = [str(t.get_text()) for t in fig.texts]
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


probe_plot.describes = "plot_attention_maps"


# ---------------------------------------------------------------- oracles (grader side)
def softmax_weights(attn: nn.MultiheadAttention, query, key, attn_mask=None, key_padding_mask=None, *,
                    scale: str = "head", softmax: str = "keys", invert_mask: bool = False) -> torch.Tensor:
    """softmax(Q K^T / sqrt(d) + mask) from the module's own weights, in float64, (B, H, L_q, L_k).
    The keyword arguments give the known wrong variants (for hints)."""
    E, H = attn.embed_dim, attn.num_heads
    d = E // H
    W = attn.in_proj_weight.detach().double()
    b = attn.in_proj_bias.detach().double()
    q = query.double() @ W[:E].T + b[:E]
    k = key.double() @ W[E:2 * E].T + b[E:2 * E]
    B, L_q, L_k = q.shape[0], q.shape[1], k.shape[1]
    q = q.reshape(B, L_q, H, d).transpose(1, 2)
    k = k.reshape(B, L_k, H, d).transpose(1, 2)
    divisor = {"head": math.sqrt(d), "none": 1.0, "embed": math.sqrt(E)}[scale]
    scores = q @ k.transpose(-2, -1) / divisor
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask if invert_mask else attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.double()
    if key_padding_mask is not None:
        kpm = ~key_padding_mask if invert_mask else key_padding_mask
        scores = scores.masked_fill(kpm[:, None, None, :], float("-inf"))
    if softmax == "none":
        return scores
    return torch.softmax(scores, dim=-1 if softmax == "keys" else -2)


def causal_mask(T: int) -> torch.Tensor:
    return torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)


@functools.lru_cache(maxsize=64)
def _oracle_model(spec_items: tuple) -> nn.Transformer:
    """The grader's float64 copy of ``build_model(spec)``, built once per spec (nn.Transformer's
    constructor deep-copies every layer: most of an oracle call). oracle_maps leaves it as it found it."""
    return build_model(dict(spec_items)).double()


def oracle_maps(spec: dict, src, tgt, pad, *, causal: bool = True, use_pad: bool = True,
                final_norm: bool = True, pre_ln_input: bool = False, memory_pad: bool = True,
                softmax: str = "keys") -> dict:
    """Every map of the model ``spec`` on (src, tgt), in float64, per head: the model runs in float64
    with pre-hooks recording each attention module's (query, key); the weights are recomputed here.
    The keyword arguments give the forward passes of known mistakes (for hints)."""
    model = _oracle_model(tuple(sorted(spec.items())))
    norm = model.encoder.norm
    if not final_norm:
        model.encoder.norm = nn.Identity()
    seen: dict[nn.Module, tuple] = {}
    layer_inputs: dict[nn.Module, tuple] = {}

    def record(module, args, kwargs):
        query = args[0] if args else kwargs["query"]
        key = args[1] if len(args) > 1 else kwargs["key"]
        seen[module] = (query.detach(), key.detach())

    def record_layer(module, args, kwargs):
        layer_inputs[module] = tuple(a.detach() for a in args[:2])

    attn_modules = []
    for layer in model.encoder.layers:
        attn_modules.append(("encoder_self", layer, layer.self_attn))
    for layer in model.decoder.layers:
        attn_modules.append(("decoder_self", layer, layer.self_attn))
    for layer in model.decoder.layers:
        attn_modules.append(("decoder_cross", layer, layer.multihead_attn))
    handles = [m.register_forward_pre_hook(record, with_kwargs=True) for _, _, m in attn_modules]
    handles += [layer.register_forward_pre_hook(record_layer, with_kwargs=True)
                for layer in [*model.encoder.layers, *model.decoder.layers]]
    T = tgt.shape[1]
    fast = torch.backends.mha.get_fastpath_enabled()
    kpm = pad if use_pad else None
    try:
        torch.backends.mha.set_fastpath_enabled(False)
        with torch.no_grad():
            model(src.double(), tgt.double(), tgt_mask=causal_mask(T) if causal else None,
                  src_key_padding_mask=kpm, memory_key_padding_mask=kpm if memory_pad else None)
    finally:
        torch.backends.mha.set_fastpath_enabled(fast)
        for h in handles:
            h.remove()
        model.encoder.norm = norm
    out: dict[str, list] = {k: [] for k in KINDS}
    with torch.no_grad():
        for kind, layer, attn in attn_modules:
            query, key = seen[attn]
            if pre_ln_input and kind != "decoder_cross":
                query = key = layer_inputs[layer][0]
            mask = causal_mask(T) if (kind == "decoder_self" and causal) else None
            padding = kpm if kind == "encoder_self" or (kind == "decoder_cross" and memory_pad) else None
            out[kind].append(softmax_weights(attn, query, key, mask, padding, softmax=softmax))
    return out


def averaged(maps: dict) -> dict:
    return {k: [m.mean(dim=1) for m in v] for k, v in maps.items()}


def map_variants(spec: dict, src, tgt, pad, average_heads: bool) -> dict:
    """What known mistakes give, by hint id (each a full dict of maps, float64)."""
    right = oracle_maps(spec, src, tgt, pad)
    out = {"causal_mask": oracle_maps(spec, src, tgt, pad, causal=False),
           "memory_before_norm": oracle_maps(spec, src, tgt, pad, final_norm=False),
           "layer_order": {k: v[::-1] for k, v in right.items()}}
    out["softmax_missing"] = oracle_maps(spec, src, tgt, pad, softmax="none")
    out["softmax_wrong_axis"] = oracle_maps(spec, src, tgt, pad, softmax="queries")
    if pad is not None:
        out["padding_ignored"] = oracle_maps(spec, src, tgt, pad, use_pad=False)
        out["memory_padding_ignored"] = oracle_maps(spec, src, tgt, pad, memory_pad=False)
        zeroed = [m.clone() for m in right["encoder_self"]]
        for m in zeroed:
            m[pad[:, None, :, None].expand_as(m)] = 0.0
        out["nested_fastpath"] = dict(right, encoder_self=zeroed)
    if spec["norm_first"]:
        out["pre_ln_input"] = oracle_maps(spec, src, tgt, pad, pre_ln_input=True)
    if average_heads:
        out = {h: averaged(v) for h, v in out.items()}
    return out


# ---------------------------------------------------------------- checks
# Tolerance: the student's float32 forward against the grader's float64 one. Attention weights lie in
# [0, 1]; float32 rounding through the layers moves them by less than 1.5e-6 (measured over 60 random
# models of up to 4 + 4 layers, E = 16), so the float32 table's atol 1e-5, rtol 1.3e-6 holds with margin.
RTOL, ATOL = 1.3e-6, 1e-5


def _tensor(value):
    try:
        if isinstance(value, torch.Tensor):
            return value.detach().to(torch.float64)
        import numpy as np

        return torch.from_numpy(np.asarray(value, dtype=np.float64))
    except Exception:
        return None


def _close(a, b) -> bool:
    return a is not None and b is not None and a.shape == b.shape and bool(
        torch.allclose(a, b, rtol=RTOL, atol=ATOL))


def structure(got, expected: dict, what: str, average_heads: bool) -> dict:
    """The result as a dict kind -> list of float64 tensors, after checking keys, lengths and shapes."""
    if not isinstance(got, dict) or set(got) != set(KINDS):
        keys = sorted(map(str, got)) if isinstance(got, dict) else type(got).__name__
        raise Mismatch(f"{what}\n  expected a dict with keys {list(KINDS)}\n  got: {keys}\nHint: "
                       f"{HINTS['wrong_keys']}"[:2000])
    out = {}
    for kind in KINDS:
        maps = got[kind]
        want = expected[kind]
        if not isinstance(maps, (list, tuple)) or len(maps) != len(want):
            n = len(maps) if isinstance(maps, (list, tuple)) else type(maps).__name__
            raise Mismatch(f"{what}: {kind!r}\n  expected a list of {len(want)} tensors (one per layer)\n"
                           f"  got: {n}\nHint: {HINTS['wrong_keys']}")
        tensors = []
        for layer, (g, e) in enumerate(zip(maps, want)):
            t = _tensor(g)
            if t is None:
                raise Mismatch(f"{what}: {kind!r}, layer {layer + 1}\n  expected a tensor of shape "
                               f"{tuple(e.shape)}\n  got: {type(g).__name__}")
            if t.shape != e.shape:
                # a hint only when the values confirm it: the expected maps averaged over the heads, the
                # per-head maps whose average is expected, or the expected maps transposed
                hint = None
                if not average_heads and t.dim() == 3 and _close(t, e.mean(dim=1)):
                    hint = "averaged_heads"
                elif average_heads and t.dim() == 4 and _close(t.mean(dim=1), e):
                    hint = "per_head_returned"
                elif _close(t, e.transpose(-2, -1)):
                    hint = "map_transposed"
                assert_close(t, e, f"{what}: {kind!r}, layer {layer + 1}"
                             + ("" if average_heads else " (B, H, L_q, L_k)"), hint=hint, hints=HINTS)
            tensors.append(t)
        out[kind] = tensors
    return out


def _matching_hint(got: dict, kind: str, variants, expected: dict | None) -> str | None:
    """The one hint whose variant reproduces every layer of ``kind`` (and differs from ``expected``), or None."""
    if variants is None:
        return None
    found = set()
    for name, wrong in variants().items():
        alt = wrong[kind]
        if expected is not None and all(_close(a, b) for a, b in zip(alt, expected[kind])):
            continue
        if len(alt) == len(got[kind]) and all(_close(a, b) for a, b in zip(got[kind], alt)):
            found.add(name)
    return found.pop() if len(found) == 1 else None


def check_properties(got: dict, pad, what: str, variants=None, expected: dict | None = None) -> None:
    """Rows sum to 1 (padded rows too), causal decoder self-attention, zero weight on padding keys. A hint
    is shown only when a known mistake (``variants()``, computed when needed) reproduces the maps."""
    def fail(where: str, text: str, kind: str):
        hint = _matching_hint(got, kind, variants, expected)
        raise Mismatch(f"{where}\n  {text}" + (f"\nHint: {HINTS[hint]}" if hint else ""))

    for kind in KINDS:
        for layer, t in enumerate(got[kind]):
            where = f"{what}: {kind!r}, layer {layer + 1}"
            if not torch.isfinite(t).all():
                fail(where, "the maps contain NaN or inf", kind)
            if (t < -ATOL).any() or exceeds(t, 1 + ATOL).any():
                fail(where, f"attention weights must lie in [0, 1]; got values in [{float(t.min())!r}, "
                            f"{float(t.max())!r}]", kind)
            sums = t.sum(dim=-1)
            bad = exceeds((sums - 1).abs(), 1e-5)
            if bad.any():
                index = tuple(int(i) for i in bad.nonzero()[0])
                fail(where, f"every row (one query's weights over the keys) must sum to 1\n  row at index {index} "
                            f"sums to {float(sums[index])!r}", kind)
            if kind == "decoder_self":
                T = t.shape[-1]
                above = t[..., causal_mask(T)]
                if above.numel() and exceeds(float(above.abs().max()), 1e-6):
                    fail(where, f"decoder self-attention must be causal: weights above the diagonal must be 0, "
                                f"the largest is {float(above.abs().max())!r}", kind)
            elif pad is not None and bool(pad.any()):
                keys = pad.reshape(pad.shape[0], *([1] * (t.dim() - 2)), pad.shape[1]).expand_as(t)
                if exceeds(float(t[keys].abs().max()), 1e-6):
                    fail(where, f"padding source positions (as keys) must get weight 0; the largest is "
                                f"{float(t[keys].abs().max())!r}", kind)


def check_values(got: dict, expected: dict, variants, what: str, *, reveal: bool = True) -> None:
    """Each layer's maps against the oracle; on a mismatch, a hint when a known mistake gives ``got``
    (``variants()`` computes the known mistakes' maps, only when needed)."""
    for kind in KINDS:
        for layer, (g, e) in enumerate(zip(got[kind], expected[kind])):
            if _close(g, e):
                continue
            hint = _matching_hint(got, kind, variants, expected)
            assert_close(g, e, f"{what}: {kind!r}, layer {layer + 1}", rtol=RTOL, atol=ATOL, reveal=reveal,
                         hint=hint, hints=HINTS)


def check_png(data, what: str):
    """The PNG written: opens, 32 to 8192 pixels a side, not one flat colour (checks.png_pixels)."""
    return png_pixels(data, what, "", min_side=32, max_side=8192)


def check_plot(out: dict, maps: list, what: str, query_tokens=None, key_tokens=None, title=None,
               cmap: str = "viridis") -> None:
    """The Figure's panels (axes with an image), in order, show the maps on the colour scale [0, 1] with the
    colormap asked for, each titled with its layer (and head) number; tokens label the axes; the figure
    carries the title when one is given; the PNG opens."""
    import re

    import numpy as np

    if out["figure"] != "Figure":
        raise Mismatch(f"{what}\n  expected the matplotlib Figure to be returned\n  got: a {out['figure']}\n"
                       f"Hint: {HINTS['not_a_figure']}")
    check_png(out["png"], what)
    arrays = [m.double() if m.dim() == 3 else m.double().unsqueeze(0) for m in maps]
    layers, heads = len(arrays), arrays[0].shape[0]
    want = [arrays[l][h].numpy() for l in range(layers) for h in range(heads)]
    panels = out["panels"]
    if len(panels) != len(want):
        raise Mismatch(f"{what}\n  expected {len(want)} panels ({layers} layer(s) x {heads} head(s)), each an "
                       f"axes with one image\n  got {len(panels)} axes with an image\nHint: {HINTS['panel_count']}")

    def same(a, b):
        return a.shape == b.shape and np.allclose(a, b, rtol=0, atol=1e-6)

    for i, (images, expected) in enumerate(zip(panels, want)):
        if len(images) == 1 and same(images[0], expected):
            continue
        l, h = divmod(i, heads)
        got = images[0] if images else None
        hint = None
        head_major = [arrays[l2][h2].numpy() for h2 in range(heads) for l2 in range(layers)]
        if got is not None and len(images) == 1 and same(got, head_major[i]):
            hint = "panel_order"
        elif got is not None and same(got, expected.T):
            hint = "panel_transposed"
        shape = "no image" if got is None else f"an image of shape {got.shape}"
        raise Mismatch(f"{what}\n  panel {i + 1} (layer {l + 1}, head {h + 1}) should show that map, a "
                       f"{expected.shape[0]}x{expected.shape[1]} matrix drawn as it is with one imshow\n"
                       f"  got {len(images)} image(s); the first is {shape} and differs from it"
                       + (f"\nHint: {HINTS[hint]}" if hint else ""))
    for i in range(len(panels)):
        l, h = divmod(i, heads)
        where = f"{what}\n  panel {i + 1} (layer {l + 1}{f', head {h + 1}' if heads > 1 else ''})"
        clim = out["clims"][i][0]
        if not (abs(clim[0]) <= 1e-9 and abs(clim[1] - 1) <= 1e-9):
            raise Mismatch(f"{where}: its colour scale runs from {clim[0]!r} to {clim[1]!r}; every panel must "
                           f"use vmin=0, vmax=1\nHint: {HINTS['color_range']}")
        if out["cmaps"][i][0] != cmap:
            raise Mismatch(f"{where}: drawn with the colormap {out['cmaps'][i][0]!r}; the call asked for "
                           f"cmap={cmap!r}\nHint: {HINTS['cmap']}")
        numbers = re.findall(r"\d+", out["titles"][i])
        if str(l + 1) not in numbers or (heads > 1 and str(h + 1) not in numbers):
            raise Mismatch(f"{where}: its title is {out['titles'][i]!r}; it should name the layer"
                           f"{' and the head' if heads > 1 else ''} (counted from 1), e.g. "
                           f"{f'layer {l + 1}, head {h + 1}' if heads > 1 else f'layer {l + 1}'!r}"
                           f"\nHint: {HINTS['panel_titles']}")
        if maps[0].dim() == 2 and re.search(r"\bh(?:ead)?\s*#?\s*\d", out["titles"][i], re.IGNORECASE):
            raise Mismatch(f"{where}: its title is {out['titles'][i]!r}, but these maps are 2-D (one map per layer, "
                           f"no head axis): title it with the layer number alone, e.g. {f'layer {l + 1}'!r}\nHint: "
                           f"{HINTS['panel_titles_2d']}")
    for i in range(len(panels)):
        for axis, tokens in (("xticks", key_tokens), ("yticks", query_tokens)):
            if tokens is None:
                continue
            labels = out[axis][i]
            if [t for t in labels if t] != list(tokens):
                raise Mismatch(f"{what}\n  panel {i + 1}: the {axis[0]} tick labels should be the "
                               f"{'key' if axis == 'xticks' else 'query'} tokens {list(tokens)!r}\n  got: "
                               f"{labels!r}\nHint: {HINTS['tick_labels']}"[:2000])
    if title is not None and not any(title in text for text in out["figure_texts"]):
        raise Mismatch(f"{what}\n  the figure should carry the title {title!r} (fig.suptitle); its figure-level "
                       f"texts are {out['figure_texts']!r}\nHint: {HINTS['title']}"[:2000])
    check_layout(out, tuple(arrays[0].shape[-2:]), layers, heads, what)


# Readability (the docstring's promise): a cell of a map at least 0.1 inch a side; a text may reach into
# another panel by up to 0.1 inch (7 points: a font or matplotlib version that renders text a little
# larger must not fail a plot that fits), not cover it.
MIN_CELL, TEXT_SLACK = 0.1, 0.1


def check_layout(out: dict, shape: tuple, layers: int, heads: int, what: str) -> None:
    """The panels' places in the figure (inches, from ``probe_plot``): a grid with one row per layer (layer 1
    on top) and one column per head (head 1 on the left), no two panels overlapping, every map cell at least
    MIN_CELL inch a side, and no panel's title or tick labels covering another panel."""
    boxes = out["boxes"]
    L_q, L_k = shape

    def name(i):
        l, h = divmod(i, heads)
        return f"panel {i + 1} (layer {l + 1}{f', head {h + 1}' if heads > 1 else ''})"

    def cover(a, b):          # how far two boxes (x0, y0, x1, y1) overlap: the smaller of width and height
        return min(min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))

    def fail(text, hint="layout"):
        raise Mismatch(f"{what}\n  {text}\nHint: {HINTS[hint]}")

    for i, box in enumerate(boxes):
        width, height = box[2] - box[0], box[3] - box[1]
        cell = min(width / L_k, height / L_q)
        if exceeds(MIN_CELL, cell):
            fail(f"{name(i)} is {width:.2f} x {height:.2f} inches for a {L_q}x{L_k} map: its cells are "
                 f"{cell:.3f} inch, too small to read (at least {MIN_CELL} inch a side)")
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            if exceeds(cover(boxes[i], boxes[j]), TEXT_SLACK):
                fail(f"{name(i)} and {name(j)} overlap in the figure")
    centre = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in boxes]
    for i in range(len(boxes)):
        l, h = divmod(i, heads)
        if h > 0:
            left = i - 1
            same_row = boxes[left][1] < centre[i][1] < boxes[left][3]
            if not same_row or exceeds(centre[left][0], centre[i][0] - 1e-9):
                fail(f"{name(i)} should be in the same row as {name(left)}, to its right (one row per layer, "
                     f"one column per head)", "panel_order")
        if l > 0:
            above = [k for k in range((l - 1) * heads, l * heads)]
            if any(exceeds(centre[i][1], boxes[k][1]) for k in above):
                fail(f"{name(i)} should be in the row below layer {l} (one row per layer, layer 1 on top)",
                     "panel_order")
    for i, texts in enumerate(out["texts"]):
        for text, *box in texts:
            for j, other in enumerate(boxes):
                if j != i and exceeds(cover(box, other), TEXT_SLACK):
                    fail(f"the text {text!r} of {name(i)} (its title or a tick label) covers {name(j)}: the "
                         f"figure is too small for its panels and their labels")
