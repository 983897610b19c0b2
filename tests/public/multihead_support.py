"""Shared by the public and hidden multihead tests: hints, rules, strategies, oracles, probes, diagnosis.

Cases are small dicts (sizes, mask kind, seed); the tensors are made from the seed, so that a failing
case prints compactly. The probes (``parameter_report``, ``run_sdpa``, ``run_mha``, ``call_check``,
``call_demo``) run next to the student's code (in the worker when grading on Gradescope); everything
else runs in the grader.
"""
from __future__ import annotations

import ast
import math

import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

from autograder.checks import TOLERANCES, Mismatch, assert_close, hint_text
from autograder.diagnose import confirmed
from autograder.rules import names_used

EXERCISE = "multihead"

HINTS = {
    "no_scaling": "the scores are not divided by sqrt(d_k): scaled dot-product attention uses "
                  "softmax(Q K^T / sqrt(d_k)), where d_k is the last dimension of the queries and keys.",
    "scale_not_sqrt": "the scores are divided by d_k itself; the scale is 1 / sqrt(d_k).",
    "scale_d_model": "the scores are scaled with the model width D; each head scales with its own key "
                     "width, 1 / sqrt(d_k) with d_k = D / num_heads.",
    "softmax_axis": "the softmax runs over the wrong axis (the queries, dim=-2): each query's weights over "
                    "the KEYS must sum to 1, so take the softmax over the last axis (dim=-1) of the "
                    "(..., T_q, T_k) scores.",
    "head_order": "the heads are split or merged in the wrong order: w_q(x) of shape (B, T, D) must be viewed "
                  "as (B, T, h, d_k) and then transposed to (B, h, T, d_k) (viewing it directly as "
                  "(B, h, T, d_k) mixes features of different tokens); merge back with transpose(1, 2) "
                  "before reshaping to (B, T, D).",
    "mask_ignored": "the output is the same as without the mask: blocked scores (mask False) must be set to "
                    "-inf before the softmax, so that they get weight 0.",
    "mask_inverted": "the mask is used the wrong way round: here True means \"may attend\" (as in "
                     "F.scaled_dot_product_attention), so the scores to block are those where the mask is False "
                     "(nn.MultiheadAttention's attn_mask uses the opposite convention).",
    "mask_zero_fill": "blocked scores were set to 0 instead of -inf: exp(0) = 1, so blocked keys still get "
                      "weight; fill them with float('-inf') before the softmax.",
    "mask_after_softmax": "the weights were multiplied by the mask after the softmax, so the rows no longer sum "
                          "to 1: mask the scores (with -inf) before the softmax instead.",
    "mask_finite_fill": "blocked scores were set to a large but finite negative number (like -1e4 or -1e9), not "
                        "-inf: when the allowed scores are even lower (here they are), the blocked keys get the "
                        "weight. Fill with float('-inf').",
    "mask_heads_axis": "a per-sequence mask of shape (B, T_q, T_k) lines up with the HEAD axis of the "
                       "(B, h, T_q, T_k) scores unless you add a head axis: use mask.unsqueeze(1).",
    "no_output_projection": "the concatenated heads are returned without the output projection w_o.",
    "not_differentiable": "autograd could not reach this tensor: build the output from torch operations on the "
                          "inputs and the layers' parameters; .detach(), .data, .item(), numpy or "
                          "torch.no_grad() cut the graph.",
    "dropout_missing": "in training mode the attention weights should go through the nn.Dropout you created "
                       "(self.dropout(weights)); the output did not change at all with dropout=0.5.",
    "inverse_permutation": "the output was permuted with the inverse permutation: equivariance compares "
                           "f(x[:, perm]) with f(x)[:, perm], the SAME perm applied to the output.",
    "invariance": "this checks invariance, f(x[:, perm]) == f(x), not equivariance: permute the output of f "
                  "too, f(x[:, perm]) == f(x)[:, perm].",
    "exact_equality": "floating-point rounding makes f(x[:, perm]) and f(x)[:, perm] differ by tiny amounts "
                      "even for an equivariant f: compare the largest absolute difference with tol instead of "
                      "testing exact equality.",
    "tolerance": "compare the largest absolute difference with the tol argument (<= tol means equivariant); "
                 "do not use a fixed tolerance or torch.allclose's relative one.",
    "positional_not_added": "return x PLUS the encoding, not the encoding alone.",
    "tol_default": "tol defaults to 1e-5: called without tol, your function must compare with 1e-5 (it gives the "
                   "right answer when tol=1e-5 is passed).",
    "demo_tol": "pass positional_demo's tol on to is_permutation_equivariant (both checks use the tol you are "
                "given; your answers are the ones for tol=1e-5).",
    "dropout_on_output": "dropout acts on the attention WEIGHTS (self.dropout(softmax(scores)) @ v), not on the "
                         "output: your training-mode output is the dropped-out output (weights @ v).",
    "inputs_changed": "leave the arguments as they were: build new tensors (mask.unsqueeze(1), masked_fill) "
                      "instead of changing them in place (unsqueeze_, masked_fill_, +=, [...] = ...).",
    "dtype_kept": "return the dtype of the inputs: float64 q, k, v give a float64 output (no .float(), and no "
                  "tensors created in float32 that the result is cast to).",
}

# ---------------------------------------------------------------- rule
ALLOWED_NN = {"Module", "Linear", "Softmax", "Dropout", "ModuleList", "Parameter", "functional", "init"}
RULE = ("from torch.nn only nn.Module, nn.Linear, nn.Softmax and nn.Dropout (and the containers "
        "nn.ModuleList / nn.Parameter); no F.scaled_dot_product_attention, nn.MultiheadAttention or "
        "F.multi_head_attention_forward")
FORBIDDEN_CALLS = ["torch.nn.functional.scaled_dot_product_attention", "torch._C._nn.scaled_dot_product_attention",
                   "torch.nn.functional.multi_head_attention_forward", "torch._scaled_dot_product_attention_math",
                   "torch._native_multi_head_attention"]
FORBIDDEN_NAMES = ["F.scaled_dot_product_attention", "torch._scaled_dot_product_attention_math",
                   "F.multi_head_attention_forward", "torch._native_multi_head_attention", "MultiheadAttention"]


def nn_layers_used(source: str | None) -> list[str]:
    """``"line N: nn.X"`` for each reference to a ``torch.nn`` member outside ``ALLOWED_NN``."""
    if not source:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name, ast.Attribute)):
            owner = ast.unparse(node.value)
            if owner in ("nn", "torch.nn") and node.attr not in ALLOWED_NN:
                found.add((node.lineno, f"{owner}.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module in ("torch.nn", "torch.nn.modules"):
            for alias in node.names:
                if alias.name not in ALLOWED_NN:
                    found.add((node.lineno, f"from {node.module} import {alias.name}"))
    return [f"line {line}: {text}" for line, text in sorted(found)]


def check_source_rule(sub) -> None:
    source = sub.source()
    hits = names_used(source, FORBIDDEN_NAMES) + nn_layers_used(source)
    if hits:
        raise Mismatch(f"Rule broken: {RULE}\n  found " + "; ".join(hits[:5]))


# ---------------------------------------------------------------- strategies and data
SDPA_MASKS = ("none", "causal", "keys", "full", "padding")
MHA_MASKS = ("none", "causal", "shared", "per_sequence")


@st.composite
def sdpa_cases(draw, max_batch=2, max_heads=2, max_t=5, max_d=8, masks=SDPA_MASKS):
    """Inputs of ScaledDotProductAttention: leading dims (B,) or (B, h), lengths, widths, mask kind."""
    lead = [draw(st.integers(1, max_batch), label="B")]
    if draw(st.booleans(), label="head axis"):
        lead.append(draw(st.integers(1, max_heads), label="h"))
    t_q = draw(st.integers(1, max_t), label="T_q")
    t_k = draw(st.one_of(st.just(t_q), st.integers(1, max_t)), label="T_k")
    mask = draw(st.sampled_from(masks), label="mask")
    if mask == "causal" and t_q != t_k:
        mask = "keys"
    return dict(lead=tuple(lead), t_q=t_q, t_k=t_k, d_k=draw(st.integers(1, max_d), label="d_k"),
                d_v=draw(st.integers(1, max_d), label="d_v"), mask=mask,
                seed=draw(st.integers(0, 2**16), label="seed"),
                dtype=draw(st.sampled_from(["float32", "float64"]), label="dtype"))


@st.composite
def mha_cases(draw, max_batch=2, max_heads=2, max_t=5, max_width=8, masks=MHA_MASKS, cross=None, bias=None):
    """A MultiHeadAttention setting: width D = h * d_k <= max_width, self- or cross-attention, mask kind."""
    heads = draw(st.integers(1, max_heads), label="num_heads")
    d_k = draw(st.integers(1, max(1, max_width // heads)), label="d_k")
    t_q = draw(st.integers(1, max_t), label="T_q")
    is_cross = draw(st.booleans(), label="cross-attention") if cross is None else cross
    t_k = draw(st.integers(1, max_t), label="T_k") if is_cross else t_q
    mask = draw(st.sampled_from(masks), label="mask")
    if mask == "causal" and t_q != t_k:
        mask = "shared"
    return dict(batch=draw(st.integers(1, max_batch), label="B"), heads=heads, d_model=heads * d_k, t_q=t_q,
                t_k=t_k, cross=is_cross, mask=mask,
                bias=draw(st.booleans(), label="bias") if bias is None else bias,
                seed=draw(st.integers(0, 2**16), label="seed"))


def mha_case(batch, heads, d_model, t_q, t_k=None, cross=False, mask="none", bias=True, seed=0) -> dict:
    """A setting written by hand (for @example)."""
    return dict(batch=batch, heads=heads, d_model=d_model, t_q=t_q, t_k=t_q if t_k is None else t_k, cross=cross,
                mask=mask, bias=bias, seed=seed)


def sdpa_case(lead, t_q, t_k, d_k, d_v, mask="none", seed=0, dtype="float32", low=0.0) -> dict:
    """``low``: queries and keys of opposite signs scaled so that every score is at or below about -low."""
    return dict(lead=tuple(lead), t_q=t_q, t_k=t_k, d_k=d_k, d_v=d_v, mask=mask, seed=seed, dtype=dtype, low=low)


def random_mask(g, shape) -> torch.Tensor:
    """A boolean mask (True = may attend) that lets at least one key through for every query."""
    mask = torch.rand(shape, generator=g) < 0.6
    t_k = shape[-1]
    flat = mask.reshape(-1, t_k)
    flat[torch.arange(flat.shape[0]), torch.randint(t_k, (flat.shape[0],), generator=g)] = True
    return flat.reshape(shape)


def make_mask(g, kind: str, lead: tuple, t_q: int, t_k: int):
    if kind == "none":
        return None
    if kind == "causal":
        return torch.ones(t_q, t_k, dtype=torch.bool).tril()
    if kind in ("keys", "shared"):
        return random_mask(g, (t_q, t_k))
    if kind == "padding":                             # one key mask per batch item, broadcast over heads and queries
        return random_mask(g, (lead[0], *[1] * len(lead[1:]), 1, t_k))
    return random_mask(g, (*lead, t_q, t_k))          # "full" / "per_sequence"


def make_sdpa_data(case: dict) -> dict:
    g = torch.Generator().manual_seed(case["seed"])
    lead, t_q, t_k = case["lead"], case["t_q"], case["t_k"]
    dtype = getattr(torch, case.get("dtype", "float32"))
    q = torch.randn(*lead, t_q, case["d_k"], generator=g, dtype=torch.float64)
    k = torch.randn(*lead, t_k, case["d_k"], generator=g, dtype=torch.float64)
    v = torch.randn(*lead, t_k, case["d_v"], generator=g, dtype=torch.float64)
    if case.get("low"):     # q . k = -sum |q_i| |k_i| * scale^2: every score far below zero
        scale = math.sqrt(case["low"] * math.sqrt(case["d_k"]) / case["d_k"])
        q, k = (q.abs() + 1) * scale, -(k.abs() + 1) * scale
    return dict(q=q.to(dtype), k=k.to(dtype), v=v.to(dtype), mask=make_mask(g, case["mask"], lead, t_q, t_k))


PROJECTIONS = ("w_q", "w_k", "w_v", "w_o")


def make_mha_data(case: dict) -> dict:
    """Inputs, the four projections' weights (name -> {"weight", "bias"}), a mask and an upstream gradient."""
    g = torch.Generator().manual_seed(case["seed"])
    b, d, t_q, t_k = case["batch"], case["d_model"], case["t_q"], case["t_k"]
    weights = {}
    for name in PROJECTIONS:
        w = torch.randn(d, d, generator=g) / math.sqrt(d)
        weights[name] = {"weight": w, "bias": 0.5 * torch.randn(d, generator=g) if case["bias"] else None}
    query = torch.randn(b, t_q, d, generator=g)
    if case["cross"]:
        key, value = torch.randn(b, t_k, d, generator=g), torch.randn(b, t_k, d, generator=g)
    else:
        key = value = query
    mask = make_mask(g, case["mask"], (b,), t_q, t_k)
    return dict(query=query, key=key, value=value, weights=weights, mask=mask,
                grad_out=torch.randn(b, t_q, d, generator=g))


def describe_sdpa(case: dict) -> str:
    lead = case["lead"]
    data_mask = {"none": "None", "causal": f"causal ({case['t_q']}, {case['t_k']})",
                 "keys": f"random ({case['t_q']}, {case['t_k']})",
                 "full": f"random {(*lead, case['t_q'], case['t_k'])}",
                 "padding": f"random {(lead[0], *[1] * len(lead[1:]), 1, case['t_k'])}"}[case["mask"]]
    dtype = case.get("dtype", "float32")
    low = f"; every score below -{case['low']:g}" if case.get("low") else ""
    return (f"ScaledDotProductAttention()(q {(*lead, case['t_q'], case['d_k'])}, k {(*lead, case['t_k'], case['d_k'])}, "
            f"v {(*lead, case['t_k'], case['d_v'])}, mask={data_mask}), {dtype}  [data seed {case['seed']}{low}]")


def describe_mha(case: dict) -> str:
    b, d, t_q, t_k = case["batch"], case["d_model"], case["t_q"], case["t_k"]
    mask = {"none": "None", "causal": f"causal ({t_q}, {t_k})", "shared": f"random ({t_q}, {t_k})",
            "per_sequence": f"random ({b}, {t_q}, {t_k})"}[case["mask"]]
    inputs = (f"query {(b, t_q, d)}, key/value {(b, t_k, d)}" if case["cross"]
              else f"x {(b, t_q, d)} as query, key and value")
    return (f"MultiHeadAttention(d_model={d}, num_heads={case['heads']}, bias={case['bias']}) on {inputs}, "
            f"mask={mask}  [data seed {case['seed']}]")


# ---------------------------------------------------------------- oracles (float64)
def sdpa_oracle(data: dict) -> torch.Tensor:
    """F.scaled_dot_product_attention in float64 (its boolean mask also means True = may attend)."""
    return F.scaled_dot_product_attention(data["q"].double(), data["k"].double(), data["v"].double(),
                                          attn_mask=data["mask"])


def _heads_mask(mask):
    return mask.unsqueeze(1) if mask is not None and mask.dim() == 3 else mask


def mha_oracle(data: dict, case: dict, grads: bool = False) -> dict:
    """Projections with F.linear, heads split as (B, T, h, d_k) -> (B, h, T, d_k), F.scaled_dot_product_attention,
    heads merged back, output projection; all in float64, with autograd for the gradients."""
    b, h, d, t_q, t_k = case["batch"], case["heads"], case["d_model"], case["t_q"], case["t_k"]
    params = {}
    for name, wb in data["weights"].items():
        params[f"{name}.weight"] = wb["weight"].double().requires_grad_(grads)
        if wb["bias"] is not None:
            params[f"{name}.bias"] = wb["bias"].double().requires_grad_(grads)
    inputs = {"query": data["query"].double().requires_grad_(grads)}
    if case["cross"]:
        inputs["key"] = data["key"].double().requires_grad_(grads)
        inputs["value"] = data["value"].double().requires_grad_(grads)
    query = inputs["query"]
    key, value = inputs.get("key", query), inputs.get("value", query)

    def proj(name, x):
        return F.linear(x, params[f"{name}.weight"], params.get(f"{name}.bias"))

    def split(x, t):
        return x.view(b, t, h, d // h).transpose(1, 2)

    heads = F.scaled_dot_product_attention(split(proj("w_q", query), t_q), split(proj("w_k", key), t_k),
                                           split(proj("w_v", value), t_k), attn_mask=_heads_mask(data["mask"]))
    out = proj("w_o", heads.transpose(1, 2).reshape(b, t_q, d))
    result = {"out": out.detach()}
    if grads:
        out.backward(data["grad_out"].double())
        result["grads"] = {name: t.grad for name, t in {**inputs, **params}.items()}
    return result


# ---------------------------------------------------------------- misconceptions (float64, no autograd)
def attention_variant(q, k, v, mask, scale="sqrt", softmax_dim=-1, mask_mode="right"):
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1)
    scores = scores / {"sqrt": math.sqrt(d_k), "none": 1.0, "d_k": d_k}.get(scale, scale)
    weights = None
    if mask is not None and mask_mode != "ignored":
        if mask_mode == "right":
            scores = scores.masked_fill(~mask, float("-inf"))
        elif mask_mode == "inverted":
            scores = scores.masked_fill(mask, float("-inf"))
        elif mask_mode == "zero":
            scores = scores.masked_fill(~mask, 0.0)
        elif isinstance(mask_mode, float):                # a finite fill value instead of -inf
            scores = scores.masked_fill(~mask, mask_mode)
        elif mask_mode == "after":
            weights = torch.softmax(scores, dim=softmax_dim) * mask
    if weights is None:
        weights = torch.softmax(scores, dim=softmax_dim)
    return weights @ v


ATTENTION_VARIANTS = [
    ("no_scaling", dict(scale="none")),
    ("scale_not_sqrt", dict(scale="d_k")),
    ("softmax_axis", dict(softmax_dim=-2)),
    ("mask_ignored", dict(mask_mode="ignored")),
    ("mask_inverted", dict(mask_mode="inverted")),
    ("mask_zero_fill", dict(mask_mode="zero")),
    ("mask_after_softmax", dict(mask_mode="after")),
    *[("mask_finite_fill", dict(mask_mode=fill)) for fill in (-1e4, -1e9, -1e10, -1e20, -1e30)],
]


def mha_variant(data: dict, case: dict, split_ok=True, merge_ok=True, out_proj=True, heads_mask_ok=True,
                **flags) -> torch.Tensor:
    b, h, d, t_q, t_k = case["batch"], case["heads"], case["d_model"], case["t_q"], case["t_k"]
    w = {name: (wb["weight"].double(), None if wb["bias"] is None else wb["bias"].double())
         for name, wb in data["weights"].items()}
    query, key, value = data["query"].double(), data["key"].double(), data["value"].double()

    def split(x, t):
        return x.view(b, t, h, d // h).transpose(1, 2) if split_ok else x.reshape(b, h, t, d // h)

    mask = data["mask"]
    if mask is not None and mask.dim() == 3:
        mask = mask.unsqueeze(1) if heads_mask_ok else mask
    heads = attention_variant(split(F.linear(query, *w["w_q"]), t_q), split(F.linear(key, *w["w_k"]), t_k),
                              split(F.linear(value, *w["w_v"]), t_k), mask, **flags)
    merged = heads.transpose(1, 2).reshape(b, t_q, d) if merge_ok else heads.reshape(b, t_q, d)
    return F.linear(merged, *w["w_o"]) if out_proj else merged


# Student outputs are float32 (from float32 inputs and weights); the oracles run in float64.
RTOL, ATOL = TOLERANCES["float32"]


def close(got, expected, rtol=None, atol=None) -> bool:
    rtol_d, atol_d = RTOL, ATOL
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return False
    return bool(torch.allclose(got.double(), expected.double(), rtol=rtol or rtol_d, atol=atol or atol_d,
                               equal_nan=True))


def unique_hint(found) -> str | None:
    """The one misconception id among ``found`` ("id#n" names the n-th variant of one), or None when there are
    none or several."""
    ids = list(dict.fromkeys(h.split("#")[0] for h in found))
    return ids[0] if len(ids) == 1 else None


def same_output(a, b) -> bool:
    return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and close(a, b)


def diagnose(student, reference, variants: dict, failing, probes) -> str | None:
    """The id of the one misconception that reproduces the student's output on the failing case and on every
    probe case that tells it apart from the right answer (autograder.diagnose.confirmed), or None."""
    return unique_hint(confirmed(student, reference, variants, failing, probes, same=same_output))


# Cases that tell the misconceptions apart (several heads, T_q != T_k, masks of every kind, B == h for the
# per-sequence mask, scores far below -1e4).
SDPA_PROBES = (sdpa_case((2,), 3, 4, 3, 2, mask="full", seed=31),
               sdpa_case((1, 2), 4, 4, 2, 3, mask="causal", seed=32, dtype="float64"),
               sdpa_case((2,), 2, 3, 4, 2, mask="keys", seed=33, low=1e12))
MHA_PROBES = (mha_case(batch=2, heads=2, d_model=8, t_q=3, mask="causal", seed=3),
              mha_case(batch=2, heads=2, d_model=4, t_q=2, t_k=5, cross=True, mask="per_sequence", seed=5),
              mha_case(batch=2, heads=4, d_model=8, t_q=4, t_k=3, cross=True, mask="shared", bias=False, seed=21))


def sdpa_variants() -> dict:
    def make(flags):
        def variant(case):
            data = make_sdpa_data(case)
            return attention_variant(data["q"].double(), data["k"].double(), data["v"].double(), data["mask"],
                                     **flags)
        return variant
    return {f"{hint}#{n}": make(flags) for n, (hint, flags) in enumerate(ATTENTION_VARIANTS)}


def mha_variants() -> dict:
    flags_list = [*ATTENTION_VARIANTS, ("scale_d_model", dict(scale="d_model")),
                  ("head_order", dict(split_ok=False)), ("head_order", dict(merge_ok=False)),
                  ("head_order", dict(split_ok=False, merge_ok=False)),
                  ("no_output_projection", dict(out_proj=False)), ("mask_heads_axis", dict(heads_mask_ok=False))]

    def make(flags):
        def variant(case):
            if flags.get("scale") == "d_model":
                flags_ = dict(flags, scale=math.sqrt(case["d_model"]))
            else:
                flags_ = flags
            return mha_variant(make_mha_data(case), case, **flags_)
        return variant
    return {f"{hint}#{n}": make(flags) for n, (hint, flags) in enumerate(flags_list)}


# ---------------------------------------------------------------- probes (run beside the student's code)
def parameter_report(layer) -> dict:
    """Probe: name -> shape of the layer's parameters, and which of w_q.. w_o are nn.Linear."""
    return {"params": {name: list(p.shape) for name, p in layer.named_parameters()},
            "linear": {name: isinstance(getattr(layer, name, None), nn.Linear) for name in PROJECTIONS}}


def load_mha_weights(layer, weights: dict) -> str | None:
    """Copy the grader's weights into ``layer.w_q`` ... ``layer.w_o``; a problem text, or None."""
    for name, wb in weights.items():
        lin = getattr(layer, name, None)
        if not isinstance(lin, nn.Linear):
            return f"layer.{name} should be an nn.Linear(d_model, d_model), got {type(lin).__name__}"
        if tuple(lin.weight.shape) != tuple(wb["weight"].shape):
            return f"layer.{name}.weight has shape {tuple(lin.weight.shape)}; expected {tuple(wb['weight'].shape)}"
        if (lin.bias is None) != (wb["bias"] is None):
            return f"layer.{name} should {'have a' if wb['bias'] is not None else 'have no'} bias (bias=...)"
        with torch.no_grad():
            lin.weight.copy_(wb["weight"])
            if wb["bias"] is not None:
                lin.bias.copy_(wb["bias"])
    return None


def run_mha(layer, weights, query, key, value, mask, grad_out=None, train=False) -> dict:
    """Probe: load the weights, run ``layer(query, key, value, mask)`` (``key``/``value`` None: self-attention
    on ``query``); with ``grad_out``, backpropagate it and return the gradients."""
    problem = load_mha_weights(layer, weights)
    if problem:
        return {"problem": problem}
    layer.train(train)
    grads = grad_out is not None
    inputs = {"query": query.clone().requires_grad_(grads)}
    if key is not None:
        inputs["key"] = key.clone().requires_grad_(grads)
        inputs["value"] = value.clone().requires_grad_(grads)
    x = inputs["query"]
    for p in layer.parameters():
        p.grad = None
    args = {**inputs, "mask": mask}
    before = {name: None if t is None else t.detach().clone() for name, t in args.items()}
    out = layer(x, inputs.get("key", x), inputs.get("value", x), mask)
    if not isinstance(out, torch.Tensor):
        return {"problem": f"the layer returned a {type(out).__name__}, not a tensor"}
    result = {"out": out.detach().clone(), "changed": changed_arguments(before, args)}
    if not grads or tuple(out.shape) != tuple(grad_out.shape):
        return result
    if not out.requires_grad:
        result["no_graph"] = True
        return result
    out.backward(grad_out.to(out.dtype))
    named = {**inputs, **{f"{name}.{kind}": getattr(getattr(layer, name), kind) for name in PROJECTIONS
                          for kind in ("weight", "bias") if getattr(getattr(layer, name), kind) is not None}}
    result["grads"] = {name: (None if t.grad is None else t.grad.clone()) for name, t in named.items()}
    return result


run_mha.describes = "MultiHeadAttention.forward"


def run_sdpa(module, q, k, v, mask, train=False):
    """Probe: ``module(q, k, v, mask)`` in eval (or training) mode."""
    module.train(train)
    out = module(q, k, v, mask)
    return out.detach().clone() if isinstance(out, torch.Tensor) else out


run_sdpa.describes = "ScaledDotProductAttention.forward"


def changed_arguments(before: dict, now: dict) -> list[str]:
    """The names of the tensors in ``now`` that differ (shape, dtype or values) from their copies in ``before``."""
    return [name for name, old in before.items() if old is not None and not (
        now[name].shape == old.shape and now[name].dtype == old.dtype and torch.equal(now[name].detach(), old))]


def run_sdpa_checked(module, q, k, v, mask, train=False) -> dict:
    """Probe: ``run_sdpa``, and which arguments the call changed in place."""
    args = {"q": q, "k": k, "v": v, "mask": mask}
    before = {name: None if t is None else t.clone() for name, t in args.items()}
    out = run_sdpa(module, q, k, v, mask, train)
    return {"out": out, "changed": changed_arguments(before, args)}


run_sdpa_checked.describes = "ScaledDotProductAttention.forward"


# ---------------------------------------------------------------- permutation equivariance
def sinusoidal_positional_encoding(num_positions: int, d_model: int) -> torch.Tensor:
    """The same encodings the exercise file gives the student."""
    position = torch.arange(num_positions, dtype=torch.float64).unsqueeze(1)
    rates = torch.pow(10000.0, -torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    pe = torch.zeros(num_positions, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * rates)
    pe[:, 1::2] = torch.cos(position * rates)[:, : d_model // 2]
    return pe.float()


def add_positional(x):
    return x + sinusoidal_positional_encoding(x.shape[1], x.shape[2]).to(x.dtype)


EQUIVARIANT = ("attention", "mha", "encoder", "tokenwise_mlp", "mean_context", "nearly")
NOT_EQUIVARIANT = ("causal_attention", "positional_encoder", "cumsum", "first_token", "sort_tokens", "ramp")
FUNCTION_TEXT = {
    "attention": "single-head self-attention (random projections)",
    "mha": "nn.MultiheadAttention self-attention",
    "encoder": "nn.TransformerEncoderLayer (no positional encoding)",
    "tokenwise_mlp": "the same MLP applied to every token",
    "mean_context": "x + (mean of the tokens) @ W",
    "nearly": "self-attention + eps * position, eps small enough to stay within tol",
    "causal_attention": "self-attention with a causal mask",
    "positional_encoder": "nn.TransformerEncoderLayer applied to x + sinusoidal encodings",
    "cumsum": "cumulative sum over the tokens",
    "first_token": "x + (the first token) @ W",
    "sort_tokens": "the tokens sorted by their first feature (permutation INVARIANT)",
    "ramp": "self-attention + eps * position, eps larger than tol",
    "tanh": "tanh of every entry (exactly equivariant: the error is 0)",
}


def build_function(spec: dict):
    """A float64 function (B, T, D) -> (B, T, D) described by ``spec`` (kind, d_model, heads, seed, t, tol)."""
    key = (spec["kind"], spec["d_model"], spec["heads"], spec["seed"], spec.get("t", 5), tol_of(spec))
    if key not in _BUILT:
        _BUILT[key] = _build(*key)
    return _BUILT[key]


_BUILT: dict = {}   # the functions are pure and deterministic: build each one once per process


def _build(kind: str, d: int, heads: int, seed: int, t: int, tol: float):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        w = [torch.randn(d, d, dtype=torch.float64) / math.sqrt(d) for _ in range(3)]
        if kind == "mha":
            mha = nn.MultiheadAttention(d, heads, batch_first=True, dtype=torch.float64).eval()
            return lambda x: mha(x, x, x, need_weights=False)[0]
        if kind in ("encoder", "positional_encoder"):
            encoder = nn.TransformerEncoderLayer(d, heads, dim_feedforward=16, dropout=0.0, batch_first=True,
                                                 dtype=torch.float64).eval()
            return encoder if kind == "encoder" else (lambda x: encoder(add_positional(x)))

    def attention(x, mask=None):
        return F.scaled_dot_product_attention(x @ w[0], x @ w[1], x @ w[2], attn_mask=mask)

    def positions(x):
        return torch.arange(x.shape[1], dtype=x.dtype).view(1, -1, 1)

    # "nearly": eps * max|t - perm[t]| <= eps * (T - 1) = tol / 2; "ramp": >= 3 * tol for any perm but the identity
    eps = tol * (0.5 / max(1, t - 1) if kind == "nearly" else 3.0)
    functions = {
        "attention": attention,
        "tokenwise_mlp": lambda x: torch.tanh(x @ w[0]) @ w[1],
        "mean_context": lambda x: x + x.mean(dim=1, keepdim=True) @ w[0],
        "nearly": lambda x: attention(x) + eps * positions(x),
        "causal_attention": lambda x: attention(x, torch.ones(x.shape[1], x.shape[1], dtype=torch.bool).tril()),
        "cumsum": lambda x: torch.cumsum(x, dim=1),
        "first_token": lambda x: x + x[:, :1] @ w[0],
        "sort_tokens": lambda x: torch.gather(x, 1, x[..., :1].argsort(dim=1).expand_as(x)),
        "ramp": lambda x: attention(x) + eps * positions(x),
        "tanh": torch.tanh,
    }
    return functions[kind]


DEFAULT_TOL = 1e-5


def tol_of(case: dict) -> float:
    """The tolerance a case uses: its own, or the functions' default when it calls them without tol (None)."""
    tol = case.get("tol", DEFAULT_TOL)
    return DEFAULT_TOL if tol is None else tol


@st.composite
def equivariance_cases(draw, kinds=EQUIVARIANT + NOT_EQUIVARIANT, max_batch=2, max_t=5, max_width=8):
    heads = draw(st.integers(1, 2), label="heads")
    d = heads * draw(st.integers(1, max_width // heads), label="width per head")
    t = draw(st.integers(2, max_t), label="T")
    return dict(kind=draw(st.sampled_from(kinds), label="function"), batch=draw(st.integers(1, max_batch), label="B"),
                t=t, d_model=d, heads=heads, perm=draw(st.permutations(list(range(t))), label="perm"),
                tol=draw(st.sampled_from([1e-5, 1e-3, 1e-8, None]), label="tol (None: the default)"),
                seed=draw(st.integers(0, 2**16)), perm_tensor=draw(st.booleans(), label="perm as a tensor"))


def eq_case(kind, batch, t, d_model, heads, perm, tol=1e-5, seed=0, perm_tensor=False) -> dict:
    """A setting written by hand; ``tol=None`` calls the function without tol (its default)."""
    return dict(kind=kind, batch=batch, t=t, d_model=d_model, heads=heads, perm=list(perm), tol=tol, seed=seed,
                perm_tensor=perm_tensor)


def make_x(case: dict) -> torch.Tensor:
    g = torch.Generator().manual_seed(case["seed"] + 1)
    return torch.randn(case["batch"], case["t"], case["d_model"], generator=g, dtype=torch.float64)


def describe_eq(case: dict, func: str) -> str:
    tol = f", tol={case['tol']!r}" if func != "equivariance_error" and case.get("tol") is not None else ""
    default = "  (tol left at its default)" if func != "equivariance_error" and case.get("tol") is None else ""
    perm = f"torch.tensor({case['perm']})" if case.get("perm_tensor") else f"{case['perm']}"
    return (f"{func}(f, x, perm={perm}{tol}) with f = {FUNCTION_TEXT[case['kind']]}, "
            f"x float64 of shape {(case['batch'], case['t'], case['d_model'])}  [data seed {case['seed']}]{default}")


def errors(case: dict, f=None) -> dict[str, float]:
    """The true equivariance error and what known misconceptions compute instead."""
    f = f or build_function(case)
    x, perm = make_x(case), torch.tensor(case["perm"])
    inverse = torch.argsort(perm)
    with torch.no_grad():
        fx, fpx = f(x), f(x[:, perm])
        return {"right": float((fpx - fx[:, perm]).abs().max()),
                "inverse_permutation": float((fpx - fx[:, inverse]).abs().max()),
                "invariance": float((fpx - fx).abs().max()),
                "allclose_tol": bool(torch.allclose(fpx, fx[:, perm], atol=tol_of(case))),
                "allclose_default": bool(torch.allclose(fpx, fx[:, perm]))}


def call_check(func, spec: dict, x, perm, tol=None):
    """Probe: the student's ``func(f, x, perm[, tol])`` with f built from ``spec`` here, next to it."""
    f = build_function(spec)
    if spec.get("perm_tensor"):
        perm = torch.tensor(perm)
    return func(f, x, perm) if tol is None else func(f, x, perm, tol)


call_check.describes = "your equivariance check"


def call_equivariance_error(func, spec: dict, x, perm):
    """Probe: ``equivariance_error(f, x, perm)`` with f built from ``spec``."""
    return call_check(func, spec, x, perm)


call_equivariance_error.describes = "equivariance_error"


def call_is_equivariant(func, spec: dict, x, perm, tol):
    """Probe: ``is_permutation_equivariant(f, x, perm, tol)`` with f built from ``spec``."""
    return call_check(func, spec, x, perm, tol)


call_is_equivariant.describes = "is_permutation_equivariant"


def add_positional_report(func, x) -> dict:
    """Probe: the student's ``add_positional(x)``, and whether it changed ``x`` in place."""
    before = x.clone()
    out = func(x)
    return {"out": out.detach().clone() if isinstance(out, torch.Tensor) else out,
            "changed": not (x.shape == before.shape and x.dtype == before.dtype and torch.equal(x, before))}


add_positional_report.describes = "add_positional"


def call_demo(func, spec: dict, x, perm, tol):
    """Probe: the student's ``positional_demo(layer, x, perm[, tol])`` with the layer built from ``spec``."""
    layer = build_function(spec)
    return func(layer, x, perm) if tol is None else func(layer, x, perm, tol)


call_demo.describes = "positional_demo"


def as_float(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.is_floating_point():
        return float(value)
    try:
        import numpy as np

        if isinstance(value, np.floating):
            return float(value)
    except ImportError:
        pass
    return None


def as_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype == torch.bool:
        return bool(value)
    try:
        import numpy as np

        if isinstance(value, np.bool_):
            return bool(value)
    except ImportError:
        pass
    return None


# ---------------------------------------------------------------- checks used by the tests
def student_sdpa(sub):
    """The student's ScaledDotProductAttention as a function of a case (for the diagnosis)."""
    def run(case):
        data = make_sdpa_data(case)
        return sub.run_probe(run_sdpa, sub.ScaledDotProductAttention(), data["q"], data["k"], data["v"],
                             data["mask"])
    return run


def check_sdpa(sub, case: dict, oracle=None, reveal: bool = True) -> None:
    data = make_sdpa_data(case)
    module = sub.ScaledDotProductAttention()
    report = sub.run_probe(run_sdpa_checked, module, data["q"], data["k"], data["v"], data["mask"])
    got = report["out"]
    expected = sdpa_oracle(data) if oracle is None else oracle(data)
    source = "F.scaled_dot_product_attention" if oracle is None else "the reference"
    rtol, atol = TOLERANCES["float64"] if case.get("dtype") == "float64" else (RTOL, ATOL)
    if not close(got, expected, rtol, atol):
        hint = diagnose(student_sdpa(sub), lambda c: sdpa_oracle(make_sdpa_data(c)), sdpa_variants(), case,
                        SDPA_PROBES)
        assert_close(got, expected, f"{describe_sdpa(case)}\n  output, compared with {source}:", reveal=reveal,
                     hint=hint, hints=HINTS, rtol=rtol, atol=atol)
    want = data["q"].dtype
    if isinstance(got, torch.Tensor) and got.dtype != want:
        raise Mismatch(f"{describe_sdpa(case)}\n  the values are right, but the output is "
                       f"{str(got.dtype).removeprefix('torch.')} for {str(want).removeprefix('torch.')} inputs"
                       + hint_text("dtype_kept", HINTS))
    if report["changed"]:
        raise Mismatch(f"{describe_sdpa(case)}\n  the output is right, but the call changed its argument"
                       f"{'s' if len(report['changed']) > 1 else ''} {', '.join(report['changed'])} in place"
                       + hint_text("inputs_changed", HINTS))


def grad_tolerance(expected: torch.Tensor) -> tuple[float, float]:
    """float32 gradients against float64 ones: sums over tokens and features, so the absolute tolerance
    scales with the largest entry (as for the output, whose entries are O(1))."""
    scale = float(expected.abs().max()) if expected.numel() else 1.0
    return 1e-5, 1e-5 * max(1.0, scale)


def student_mha(sub):
    """The student's MultiHeadAttention (eval mode, no dropout) as a function of a case (for the diagnosis)."""
    def run(case):
        data = make_mha_data(case)
        layer = sub.MultiHeadAttention(case["d_model"], case["heads"], bias=case["bias"])
        key, value = (data["key"], data["value"]) if case["cross"] else (None, None)
        got = sub.run_probe(run_mha, layer, data["weights"], data["query"], key, value, data["mask"])
        if "problem" in got:
            raise ValueError(got["problem"])
        return got["out"]
    return run


def check_mha(sub, case: dict, grads: bool = False, oracle=None, reveal: bool = True, dropout: float = 0.0) -> None:
    """Run the student's MultiHeadAttention with the grader's weights (eval mode); compare with the oracle."""
    data = make_mha_data(case)
    layer = sub.MultiHeadAttention(case["d_model"], case["heads"], dropout=dropout, bias=case["bias"])
    key, value = (data["key"], data["value"]) if case["cross"] else (None, None)
    got = sub.run_probe(run_mha, layer, data["weights"], data["query"], key, value, data["mask"],
                        data["grad_out"] if grads else None)
    what = describe_mha(case) + (f" (dropout={dropout}, eval mode)" if dropout else "")
    if "problem" in got:
        raise Mismatch(f"{what}\n  {got['problem']}")
    expected = mha_oracle(data, case, grads) if oracle is None else oracle(data, case, grads)
    source = "F.scaled_dot_product_attention with the same weights" if oracle is None else "the reference layer"
    if not close(got["out"], expected["out"]):
        hint = None if dropout else diagnose(student_mha(sub), lambda c: mha_oracle(make_mha_data(c), c)["out"],
                                             mha_variants(), case, MHA_PROBES)
        assert_close(got["out"], expected["out"], f"{what}\n  output, compared with {source}:", reveal=reveal,
                     hint=hint, hints=HINTS, rtol=RTOL, atol=ATOL)
    if got.get("changed") and not grads:      # checked once (the forward test), not again with the gradients
        raise Mismatch(f"{what}\n  the output is right, but the call changed its argument"
                       f"{'s' if len(got['changed']) > 1 else ''} {', '.join(got['changed'])} in place"
                       + hint_text("inputs_changed", HINTS))
    if not grads:
        return
    if got.get("no_graph"):
        raise Mismatch(f"{what}\n  the output does not require grad, so nothing can be backpropagated"
                       + hint_text("not_differentiable", HINTS))
    for name, exp in expected["grads"].items():
        label = f"{what}\n  gradient of sum(output * grad_out) with respect to {name}, compared with {source}:"
        g = got["grads"].get(name)
        if g is None:
            raise Mismatch(f"{label}\n  got: None (no gradient reached {name})" + hint_text("not_differentiable",
                                                                                           HINTS))
        rtol, atol = grad_tolerance(exp)
        assert_close(g, exp, label, rtol=rtol, atol=atol, reveal=reveal)


def reference_mha_oracle(module):
    """The hidden tests' oracle: the reference MultiHeadAttention, with the same weights, in float64."""
    def oracle(data, case, grads):
        layer = module.MultiHeadAttention(case["d_model"], case["heads"], bias=case["bias"]).double()
        weights = {n: {"weight": wb["weight"].double(), "bias": None if wb["bias"] is None else wb["bias"].double()}
                   for n, wb in data["weights"].items()}
        key, value = (data["key"].double(), data["value"].double()) if case["cross"] else (None, None)
        return run_mha(layer, weights, data["query"].double(), key, value, data["mask"],
                       data["grad_out"].double() if grads else None)
    return oracle


def reference_sdpa_oracle(module):
    def oracle(data):
        return run_sdpa(module.ScaledDotProductAttention(), data["q"].double(), data["k"].double(),
                        data["v"].double(), data["mask"])
    return oracle


# Settings that tell the misconceptions of the equivariance check apart: a 4-cycle on an equivariant layer
# (rounding errors, and the inverse permutation differs from perm), a permutation-invariant function, deviations
# just below and just above tol, a tol far from the default.
EQ_PROBES = (eq_case("encoder", 2, 4, 4, 2, [1, 2, 3, 0]), eq_case("sort_tokens", 2, 3, 2, 1, [2, 0, 1]),
             eq_case("nearly", 1, 4, 4, 1, [3, 2, 1, 0], tol=1e-3), eq_case("ramp", 1, 4, 4, 1, [1, 0, 2, 3], tol=1e-8))


def close_floats(a, b) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def same_answer(a, b) -> bool:
    return a is not None and b is not None and a == b


def error_variants() -> dict:
    return {h: (lambda case, h=h: errors(case)[h]) for h in ("inverse_permutation", "invariance")}


def is_equivariant_variants() -> dict:
    def right(name):
        return lambda case: errors(case)[name] <= tol_of(case)
    return {"exact_equality": lambda case: errors(case)["right"] == 0,
            "inverse_permutation": right("inverse_permutation"), "invariance": right("invariance"),
            "tolerance#fixed": lambda case: errors(case)["right"] <= DEFAULT_TOL,
            "tolerance#allclose": lambda case: errors(case)["allclose_tol"],
            "tolerance#allclose_default": lambda case: errors(case)["allclose_default"]}


def check_equivariance_error(sub, case: dict, reveal: bool = True) -> None:
    func = sub.get_attr("equivariance_error")

    def student(c):
        return as_float(sub.run_probe(call_equivariance_error, func, c, make_x(c), c["perm"]))

    value = student(case)
    errs = errors(case)
    what = describe_eq(case, "equivariance_error")
    if value is None:
        raise Mismatch(f"{what}\n  expected: a float (the largest absolute difference)\n  got:      "
                       f"{sub.run_probe(call_equivariance_error, func, case, make_x(case), case['perm'])!r}")
    # The student's f and ours are the same float64 computation; only the order of a max could differ.
    if not close_floats(value, errs["right"]):
        hint = unique_hint(confirmed(student, lambda c: errors(c)["right"], error_variants(), case, EQ_PROBES,
                                     same=close_floats))
        expected = f"{errs['right']!r}   (max |f(x[:, perm]) - f(x)[:, perm]|)" if reveal else "(hidden)"
        raise Mismatch(f"{what}\n  expected: {expected}\n  got:      {value!r}" + hint_text(hint, HINTS))


def check_is_equivariant(sub, case: dict, reveal: bool = True) -> None:
    func = sub.get_attr("is_permutation_equivariant")

    def student(c):
        return as_bool(sub.run_probe(call_is_equivariant, func, c, make_x(c), c["perm"], c["tol"]))

    got = sub.run_probe(call_is_equivariant, func, case, make_x(case), case["perm"], case["tol"])
    errs = errors(case)
    tol = tol_of(case)
    expected = errs["right"] <= tol
    what = describe_eq(case, "is_permutation_equivariant")
    value = as_bool(got)
    if value is None:
        raise Mismatch(f"{what}\n  expected: a bool\n  got:      {got!r}")
    if value != expected:
        hint = None
        if case["tol"] is None and student(dict(case, tol=DEFAULT_TOL)) == expected:
            hint = "tol_default"    # right with tol=1e-5 passed, wrong without it
        else:
            hint = unique_hint(confirmed(student, lambda c: errors(c)["right"] <= tol_of(c),
                                         is_equivariant_variants(), case, EQ_PROBES, same=same_answer))
        if reveal:
            lines = (f"  expected: {expected}\n  got:      {value}\n  (the largest difference "
                     f"|f(x[:, perm]) - f(x)[:, perm]| is {errs['right']:.3g}, tol is {tol:g})")
        else:
            lines = f"  got:      {value} (not the right answer)"
        raise Mismatch(f"{what}\n{lines}" + hint_text(hint, HINTS))
