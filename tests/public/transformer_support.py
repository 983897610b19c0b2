"""Shared by the public and hidden transformer tests: hints, weights, probes, oracles, diagnosis.

The oracle is PyTorch's own ``nn.TransformerEncoderLayer`` (``batch_first=True``) with the grader's
weights copied in: W_q, W_k, W_v stacked into ``self_attn.in_proj_weight`` (its in-projection bias set
to zero, since those projections have none), W_o -> ``self_attn.out_proj``, ff1/ff2 -> ``linear1``/
``linear2``, ln1/ln2 -> ``norm1``/``norm2``; ``norm_first=False`` is Part A's post-LN layer and
``norm_first=True`` Part C's pre-LN layer. The probes (``probe_*``) run next to the student's code
(in the worker when grading on Gradescope); everything else runs in the grader.
"""
from __future__ import annotations

import math

import sympy
import torch
from hypothesis import strategies as st
import torch.nn.functional as F
from torch import nn

from autograder.checks import Mismatch, assert_close, hint_text

EXERCISE = "transformer"

HINTS = {
    "no_scaling": "the attention scores are not scaled: divide q . k by sqrt(d_head) (the size of one "
                  "head's query/key vectors) before the softmax, or the softmax saturates as d_head grows.",
    "scaled_by_d_model": "the scores are divided by sqrt(d_model); scaled dot-product attention divides by "
                         "sqrt(d_head) = sqrt(d_model / n_heads), the length of the vectors in each dot product.",
    "mask_fill_zero": "masked scores were set to 0, but exp(0) = 1 > 0, so padded keys still get attention "
                      "weight after the softmax; set them to -inf (or a very large negative number) before "
                      "the softmax so that their weight is exactly 0.",
    "mask_broadcast": "the (B, T) padding mask does not line up with the (B, n_heads, T, T) scores: broadcasting "
                      "aligns trailing axes, so the mask must be reshaped to (B, 1, 1, T) (batch, any head, any "
                      "query, key) before it is applied; otherwise it fails or masks the wrong batch entries.",
    "ff2_dims": "the FFN's second linear layer must map back from d_ff to d_model (nn.Linear(d_ff, d_model)); "
                "otherwise its output cannot be added to the residual stream.",
    "ln_dims": "a LayerNorm normalises the last axis of its input, which has d_model features here: use "
               "nn.LayerNorm(d_model), not nn.LayerNorm(d_ff).",
    "norm_order_post": "TransformerLayer keeps the given post-LN order: x = ln1(x + attention(x)), then "
                       "x = ln2(x + FFN(x)); your output matches a pre-LN layer.",
    "norm_order_pre": "this layer is pre-LN: each LayerNorm is applied to the sublayer's input, "
                      "x = x + attention(ln1(x)) and x = x + FFN(ln2(x)), with no LayerNorm after the residual "
                      "addition; your output matches the post-LN layer of Part A.",
    "param_biases": "count every bias: W_o, ff1 and ff2 have one each (D, d_ff and D numbers); W_q, W_k, W_v have "
                    "none in the given layer.",
    "param_qkv_bias": "in the given layer W_q, W_k and W_v are nn.Linear(..., bias=False): they have no bias "
                      "(only the all-biases variant counts 3*D more).",
    "param_layernorm": "each LayerNorm(D) has D scales and D shifts: 2*D parameters, 4*D for the two of them.",
    "param_heads": "the projections map D -> D whatever the number of heads (the heads split the D features), so "
                   "the count does not depend on n_heads.",
    "dropout_place": "in eval mode your layer is right, but not in train mode: use exactly three dropouts (p as "
                     "given), drawn in this order: on W_o's output before the first residual addition, on "
                     "relu(ff1(...)) inside the MLP, and on ff2's output before the second residual addition; no "
                     "dropout on the attention weights, the LayerNorms or after the additions, and no other random "
                     "numbers drawn in forward (use nn.Dropout or F.dropout).",
    "dropout_in_eval": "in eval mode your layer still drops values out (with the same seed it gives exactly "
                       "PyTorch's train-mode output): use nn.Dropout modules (they follow model.eval()) or "
                       "F.dropout(..., training=self.training); F.dropout's default is training=True.",
    "eval_dropout_scaled": "in eval mode your layer multiplies the three dropout outputs by (1 - p): with "
                           "nn.Dropout / F.dropout the scaling happens in train mode (kept values are divided "
                           "by 1 - p), so in eval mode dropout must leave its input exactly as it is.",
    "dropout_default": "built without the dropout argument, your layer does not behave like dropout=0.1 "
                       "(with dropout=0.1 passed explicitly it does): the default of the dropout parameter "
                       "must be 0.1, as in the signature given.",
    "mask_fill_finite": "when every real score is very negative (here about -1e6), the padded keys took the "
                        "attention: the masked scores were set to a finite number above the real scores (like "
                        "-1e4). Fill them with float('-inf') (or a number far below any score, such as "
                        "torch.finfo(scores.dtype).min) so that their weight is exactly 0 whatever the scores.",
    "ln_eps": "your LayerNorms use a smaller eps than PyTorch's default 1e-5 (your output matches one with a "
              "smaller eps); on inputs of tiny variance the eps matters: use nn.LayerNorm(d_model) with its default.",
    "input_modified": "forward must not change its input: a residual update written in place (x += ... or "
                      "x.add_(...)) changes the caller's tensor; write x = x + ... instead.",
    "heads_merge": "the heads' outputs (B, n_heads, T, d_head) were reshaped to (B, T, D) without moving the "
                   "head axis back first: transpose to (B, T, n_heads, d_head) (and make it contiguous) before "
                   "the reshape, so that each position gets its own heads' features side by side.",
    "heads_split": "the projections (B, T, D) were reshaped straight to (B, n_heads, T, d_head): reshape to "
                   "(B, T, n_heads, d_head) and then transpose(1, 2), so that each head gets features "
                   "h * d_head to (h + 1) * d_head - 1 of every position.",
}

PARAMETER_NAMES = ["W_q.weight", "W_k.weight", "W_v.weight", "W_o.weight", "W_o.bias", "ff1.weight", "ff1.bias",
                   "ff2.weight", "ff2.bias", "ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias"]

# Post-LN and pre-LN layers add one float32 LayerNorm after another; the student's attention and the
# oracle's sum in different orders. Errors observed between correct float32 implementations and the
# float64 oracle stay below 3e-6 on these sizes; 1e-4 leaves room and still catches every bug (their
# differences are of order 0.1 to 1 on LayerNorm-scaled outputs).
RTOL, ATOL = 1e-4, 1e-4


# ---------------------------------------------------------------- weights and inputs
def expected_shapes(d_model: int, d_ff: int) -> dict[str, list[int]]:
    D = d_model
    return {"W_q.weight": [D, D], "W_k.weight": [D, D], "W_v.weight": [D, D], "W_o.weight": [D, D],
            "W_o.bias": [D], "ff1.weight": [d_ff, D], "ff1.bias": [d_ff], "ff2.weight": [D, d_ff], "ff2.bias": [D],
            "ln1.weight": [D], "ln1.bias": [D], "ln2.weight": [D], "ln2.bias": [D]}


def make_weights(d_model: int, d_ff: int, seed: int) -> dict[str, torch.Tensor]:
    """The grader's weights, name -> float32 tensor: matrices ~ N(0, 1/fan_in), biases ~ 0.1 N(0, 1),
    LayerNorm scales 1 + 0.1 N(0, 1) and shifts 0.1 N(0, 1) (so that a swapped or missing one shows)."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for name, shape in expected_shapes(d_model, d_ff).items():
        if name.endswith("weight") and len(shape) == 2:
            out[name] = torch.randn(shape, generator=g) / math.sqrt(shape[1])
        elif name.startswith("ln") and name.endswith("weight"):
            out[name] = 1 + 0.1 * torch.randn(shape, generator=g)
        else:
            out[name] = 0.1 * torch.randn(shape, generator=g)
    return out


def make_mask(lengths: list[int], T: int) -> torch.Tensor:
    """Padding mask (B, T): True for the first ``lengths[b]`` positions of sequence b."""
    return torch.arange(T)[None, :] < torch.tensor(lengths)[:, None]


@st.composite
def layer_cases(draw, max_batch=3, max_T=6, dims=((4, 1), (4, 2), (6, 3), (8, 2), (8, 4), (12, 3), (16, 4)),
                ff=(4, 6, 8, 12, 16, 24, 32), masked=None, same_ff=False, scattered=False):
    """A layer size, weights seed and an input: plain data, so that a failing case prints compactly.
    ``scattered``: a drawn mask may have its padding anywhere (not only at the end of a sequence)."""
    d_model, n_heads = draw(st.sampled_from(dims), label="(d_model, n_heads)")
    d_ff = d_model if same_ff else draw(st.sampled_from([f for f in ff if f != d_model]), label="d_ff")
    B = draw(st.integers(1, max_batch), label="B")
    T = draw(st.integers(1, max_T), label="T")
    use_mask = draw(st.booleans(), label="masked") if masked is None else masked
    lengths = rows = None
    if use_mask and scattered and draw(st.booleans(), label="padding anywhere"):
        rows = [draw(mask_rows(T), label=f"mask row of sequence {b}") for b in range(B)]
    elif use_mask:
        lengths = [draw(st.integers(1, T), label=f"length of sequence {b}") for b in range(B)]
    return dict(d_model=d_model, n_heads=n_heads, d_ff=d_ff, B=B, T=T, lengths=lengths,
                seed=draw(st.integers(0, 2**16), label="seed"), **({"rows": rows} if rows else {}))


def mask_rows(T: int):
    """One sequence's padding pattern as a string, "1" = real token: at least one real token, anywhere."""
    return st.lists(st.sampled_from("01"), min_size=T, max_size=T).map("".join).filter(lambda r: "1" in r)


def case(d_model, n_heads, d_ff, B, T, lengths=None, seed=0, rows=None, tiny=False) -> dict:
    """A case written by hand (for @example); ``rows``: mask rows like "1101" (1 = real), instead of lengths;
    ``tiny``: x and W_o's bias scaled by 1e-3, so that LayerNorm's eps matters."""
    return dict(d_model=d_model, n_heads=n_heads, d_ff=d_ff, B=B, T=T, lengths=lengths, seed=seed,
                **({"rows": rows} if rows else {}), **({"tiny": True} if tiny else {}))


def make_case(c: dict) -> tuple[dict, torch.Tensor, torch.Tensor | None]:
    """(weights, x, mask) of a case: x ~ N(0, 1) of shape (B, T, d_model)."""
    weights = make_weights(c["d_model"], c["d_ff"], c["seed"])
    g = torch.Generator().manual_seed(c["seed"] + 1)
    x = torch.randn(c["B"], c["T"], c["d_model"], generator=g)
    if c.get("tiny"):   # LayerNorm inputs of variance about 1e-6, where LayerNorm's eps matters
        x = x * 1e-3
        weights["W_o.bias"] = weights["W_o.bias"] * 1e-3
    if c.get("rows"):
        mask = torch.tensor([[ch == "1" for ch in row] for row in c["rows"]], dtype=torch.bool)
    else:
        mask = None if c.get("lengths") is None else make_mask(c["lengths"], c["T"])
    return weights, x, mask


def describe(cls: str, c: dict, extra: str = "") -> str:
    args = f"{cls}(d_model={c['d_model']}, n_heads={c['n_heads']}, d_ff={c['d_ff']}" + \
           (f", dropout={c['p']}" if "p" in c else "") + ")"
    shape = (c["B"], c["T"], c["d_model"])
    if c.get("rows"):
        mask = f"the padding mask with rows {c['rows']} (1 = real token, 0 = padding)"
    else:
        mask = "no mask" if c.get("lengths") is None else f"a padding mask with real-token counts {c['lengths']}"
    tiny = ", x and W_o's bias scaled by 0.001 (tiny LayerNorm inputs)" if c.get("tiny") else ""
    return f"{args} with the grader's weights, on x of shape {shape} (seed {c['seed']}){tiny}, {mask}{extra}"


# ---------------------------------------------------------------- the oracle: nn.TransformerEncoderLayer
class _ContiguousDropout(nn.Dropout):
    """nn.Dropout on a contiguous copy. Dropout draws its random numbers in the memory order of its input;
    PyTorch's attention hands dropout1 a transposed (batch-first view of a sequence-first) tensor, while a
    layer written batch-first (and the exercise's convention) drops out a contiguous (B, T, D) tensor."""

    def forward(self, x):
        return F.dropout(x.contiguous(), self.p, self.training, self.inplace)


def torch_layer(weights: dict, n_heads: int, norm_first: bool, p: float = 0.0,
                dtype=torch.float64) -> nn.TransformerEncoderLayer:
    """PyTorch's encoder layer with the grader's weights (ReLU, eps 1e-5, batch first, no dropout on the
    attention weights); in eval mode."""
    D, d_ff = weights["ff1.weight"].shape[1], weights["ff1.weight"].shape[0]
    layer = nn.TransformerEncoderLayer(D, n_heads, d_ff, dropout=p, batch_first=True, norm_first=norm_first)
    layer.self_attn.dropout = 0.0           # the exercise has no dropout on the attention weights
    layer.dropout1, layer.dropout, layer.dropout2 = (_ContiguousDropout(p) for _ in range(3))
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(torch.cat([weights["W_q.weight"], weights["W_k.weight"],
                                                        weights["W_v.weight"]]))
        layer.self_attn.in_proj_bias.zero_()
        for mine, theirs in (("W_o", "self_attn.out_proj"), ("ff1", "linear1"), ("ff2", "linear2"),
                             ("ln1", "norm1"), ("ln2", "norm2")):
            layer.get_submodule(theirs).weight.copy_(weights[f"{mine}.weight"])
            layer.get_submodule(theirs).bias.copy_(weights[f"{mine}.bias"])
    return layer.to(dtype).eval()


def run_torch(layer: nn.TransformerEncoderLayer, x: torch.Tensor, mask=None, attn_mask=None,
              train_seed: int | None = None) -> torch.Tensor:
    """The layer's output. Autograd stays on so that PyTorch takes its plain (not the fused inference)
    path; ``mask`` is the exercise's (B, T) padding mask (True = real token), ``attn_mask`` a bool mask
    of shape (T, T) or (B * n_heads, T, T) with True = may NOT attend."""
    dtype = layer.linear1.weight.dtype
    kpm = None if mask is None else ~mask
    with torch.enable_grad():
        if train_seed is not None:
            layer.train()
            torch.manual_seed(train_seed)
        try:
            out = layer(x.to(dtype), src_mask=attn_mask, src_key_padding_mask=kpm)
        finally:
            layer.eval()
    return out.detach()


def scaled_q(weights: dict, factor: float) -> dict:
    """Weights whose W_q is multiplied by ``factor``: scores scaled by it (how the scaling variants are made)."""
    return dict(weights, **{"W_q.weight": weights["W_q.weight"] * factor})


# ---------------------------------------------------------------- probes (run beside the student's code)
def _parameter_problem(layer, shapes: dict) -> str | None:
    if not isinstance(layer, nn.Module):
        return f"the layer is a {type(layer).__name__}, not an nn.Module"
    got = {name: list(p.shape) for name, p in layer.named_parameters()}
    missing = [n for n in shapes if n not in got]
    extra = [n for n in got if n not in shapes]
    if missing or extra:
        return (f"its parameters are {sorted(got)}; expected exactly {sorted(shapes)}"
                + (f" (missing: {missing})" if missing else "") + (f" (not expected: {extra})" if extra else ""))
    wrong = [f"{n}: {got[n]} (expected {shapes[n]})" for n in shapes if got[n] != shapes[n]]
    if wrong:
        return "some parameters have the wrong shape: " + "; ".join(wrong)
    return None


def probe_parameters(layer) -> dict:
    """Probe: the layer's parameters, name -> shape."""
    return {name: list(p.shape) for name, p in layer.named_parameters()}


def probe_run(layer, weights: dict, x: torch.Tensor, mask=None, train_seed: int | None = None,
              repeat: int = 1, eval_seed: int | None = None) -> dict:
    """Probe: load the grader's weights into the layer, then run it ``repeat`` times in eval mode, or in
    train mode with ``torch.manual_seed(train_seed)`` just before the call (``eval_seed``: eval mode, with
    ``torch.manual_seed(eval_seed)`` before each call). Reports a changed input as a problem."""
    problem = _parameter_problem(layer, {n: list(w.shape) for n, w in weights.items()})
    if problem:
        return {"problem": problem}
    params = dict(layer.named_parameters())
    with torch.no_grad():
        for name, value in weights.items():
            params[name].copy_(value)
    layer.train(train_seed is not None)
    x_before = x.clone()
    mask_before = None if mask is None else mask.clone()
    outs = []
    with torch.no_grad():
        for _ in range(repeat):
            seed = train_seed if train_seed is not None else eval_seed
            if seed is not None:
                torch.manual_seed(seed)
            out = layer(x) if mask is None else layer(x, mask)
            if not isinstance(out, torch.Tensor):
                return {"problem": f"forward returned a {type(out).__name__}, not a tensor"}
            outs.append(out.detach().clone())
            if not torch.equal(x, x_before) or (mask is not None and not torch.equal(mask, mask_before)):
                what = "x" if not torch.equal(x, x_before) else "mask"
                return {"problem": f"forward changed its input {what} in place (the caller's tensor holds other "
                                   f"values after the call)", "input_modified": True}
    layer.eval()
    return {"out": outs[0], "outs": outs}


probe_run.describes = "forward"


# ---------------------------------------------------------------- comparing and diagnosing
def close(got, expected) -> bool:
    return (isinstance(got, torch.Tensor) and got.shape == expected.shape
            and bool(torch.allclose(got.double(), expected.double(), rtol=RTOL, atol=ATOL)))


def first_hint(got, expected, variants: dict) -> str | None:
    """The hint id of the variant that ``got`` matches (and the right answer does not); None when no
    variant, or variants of different hints, match (no cause is claimed then)."""
    found = {hint.split("#")[0] for hint, wrong in variants.items()   # "id#detail": variants sharing a hint
             if wrong is not None and close(got, wrong) and not close(wrong, expected)}
    return found.pop() if len(found) == 1 else None


def check_output(got: dict, expected: torch.Tensor, what: str, variants=None,
                 reveal: bool = True, hint: str | None = None) -> None:
    """Fail with the probe's problem, or shape-then-values feedback and the hint of a matching variant."""
    if "problem" in got:
        if got.get("input_modified"):
            hint = "input_modified"
        raise Mismatch(f"{what}\n  {got['problem']}" + hint_text(hint, HINTS))
    out = got["out"]
    if not close(out, expected):
        if callable(variants):   # computed only when needed: each variant is another forward pass
            variants = variants()
        hint = first_hint(out, expected, variants or {}) or hint
        assert_close(out, expected, f"{what}\n  output, compared with nn.TransformerEncoderLayer with the same "
                                    "weights:", rtol=RTOL, atol=ATOL, reveal=reveal, hint=hint, hints=HINTS)


def scaling_variants(weights: dict, c: dict, x, mask, norm_first: bool = False) -> dict:
    """Outputs of the no-scaling and scaled-by-sqrt(d_model) variants, and of the other LN order."""
    d_head = c["d_model"] // c["n_heads"]
    out = {}
    for hint, factor in (("no_scaling", math.sqrt(d_head)),
                         ("scaled_by_d_model", math.sqrt(d_head / c["d_model"]))):
        if factor != 1:
            out[hint] = run_torch(torch_layer(scaled_q(weights, factor), c["n_heads"], norm_first), x, mask)
    other = "norm_order_pre" if norm_first else "norm_order_post"
    out[other] = run_torch(torch_layer(weights, c["n_heads"], not norm_first), x, mask)
    for hint in ("heads_split", "heads_merge"):
        out[hint] = manual_layer(weights, c["n_heads"], x, mask, norm_first, **{hint.split("_")[1]: "wrong"})
    for eps in (1e-6, 1e-8, 1e-12, 0.0):   # other LayerNorm eps: shows on tiny inputs, now and then elsewhere
        out[f"ln_eps#{eps}"] = manual_layer(weights, c["n_heads"], x, mask, norm_first, eps=eps)
    if norm_first and c.get("p"):
        out["eval_dropout_scaled"] = manual_layer(weights, c["n_heads"], x, mask, True, eval_scale=1 - c["p"])
    return out


def manual_layer(weights: dict, n_heads: int, x, mask, norm_first: bool, *, split: str = "right",
                 merge: str = "right", fill: float = float("-inf"), eval_scale: float = 1.0,
                 eps: float = 1e-5) -> torch.Tensor:
    """The layer in float64, written out, with knobs for known mistakes (for hints only; the oracle is
    PyTorch's layer): heads split or merged by a plain reshape, masked scores filled with ``fill``, and
    (pre-LN) the three dropout outputs multiplied by ``eval_scale``."""
    W = {k: v.double() for k, v in weights.items()}
    x = x.double()
    B, T, D = x.shape
    dh = D // n_heads

    def ln(t, name):
        return F.layer_norm(t, (D,), W[f"{name}.weight"], W[f"{name}.bias"], eps)

    def heads(t):
        return t.reshape(B, n_heads, T, dh) if split == "wrong" else t.reshape(B, T, n_heads, dh).transpose(1, 2)

    def attention(t):
        q, k, v = (heads(t @ W[f"{n}.weight"].T) for n in ("W_q", "W_k", "W_v"))
        scores = q @ k.transpose(-2, -1) / math.sqrt(dh)
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, None, :], fill)
        o = torch.softmax(scores, dim=-1) @ v
        o = o.reshape(B, T, D) if merge == "wrong" else o.transpose(1, 2).reshape(B, T, D)
        return o @ W["W_o.weight"].T + W["W_o.bias"]

    def ffn(t, s=1.0):
        return s * (s * torch.relu(t @ W["ff1.weight"].T + W["ff1.bias"]) @ W["ff2.weight"].T + W["ff2.bias"])

    if norm_first:
        h = x + eval_scale * attention(ln(x, "ln1"))
        return h + ffn(ln(h, "ln2"), eval_scale)
    h = ln(x + attention(x), "ln1")
    return ln(h + ffn(h), "ln2")


def finite_fill_variants(weights: dict, c: dict, x, mask, norm_first: bool) -> dict:
    """Masked scores filled with a finite number (-1e4) instead of -inf."""
    return {"mask_fill_finite": manual_layer(weights, c["n_heads"], x, mask, norm_first, fill=-1e4)}


# ---------------------------------------------------------------- Part B: counts of real modules
SYMBOLS = {"D": sympy.Symbol("D", positive=True, integer=True), "d_ff": sympy.Symbol("d_ff", positive=True,
                                                                                      integer=True)}


def count_modules(d_model: int, n_heads: int, d_ff: int, all_biases: bool) -> int:
    """Parameters of the layer built from real torch.nn modules (meta device: no memory, no arithmetic)."""
    if all_biases:
        layer = nn.TransformerEncoderLayer(d_model, n_heads, d_ff, batch_first=True, device="meta")
        return sum(p.numel() for p in layer.parameters())
    parts = [nn.Linear(d_model, d_model, bias=False, device="meta") for _ in range(3)]
    parts += [nn.Linear(d_model, d_model, device="meta"), nn.Linear(d_model, d_ff, device="meta"),
              nn.Linear(d_ff, d_model, device="meta"), nn.LayerNorm(d_model, device="meta"),
              nn.LayerNorm(d_model, device="meta")]
    return sum(p.numel() for m in parts for p in m.parameters())


def fitted_count(all_biases: bool) -> sympy.Expr:
    """The count as a polynomial of degree <= 2 in D and d_ff, interpolated from real modules' counts
    on a grid (six coefficients, fitted exactly; the counts of Linear and LayerNorm layers are such
    polynomials)."""
    D, F_ = SYMBOLS["D"], SYMBOLS["d_ff"]
    monomials = [D**2, D * F_, F_**2, D, F_, sympy.Integer(1)]
    points = [(4, 3), (8, 5), (4, 7), (12, 2), (8, 11), (16, 6), (20, 9)]
    rows = sympy.Matrix([[m.subs({D: a, F_: b}) for m in monomials] for a, b in points])
    counts = sympy.Matrix([count_modules(a, 2 if a % 2 == 0 else 1, b, all_biases) for a, b in points])
    coeffs = (rows.T * rows).LUsolve(rows.T * counts)
    return sympy.expand(sum(c * m for c, m in zip(coeffs, monomials)))


def count_variants(all_biases: bool) -> dict:
    """Formulas of known miscounts, by hint id (``id#detail`` where two share a hint)."""
    D, F_ = SYMBOLS["D"], SYMBOLS["d_ff"]
    right = fitted_count(all_biases)
    out = {"param_biases": right - (D + F_ + D) - (3 * D if all_biases else 0),
           "param_layernorm": right - 2 * D}
    out["param_layernorm#both"] = right - 4 * D
    if not all_biases:
        out["param_qkv_bias"] = right + 3 * D
    return out


def by_name(expr, what: str):
    """``expr`` (a sympy expression or a number) with its symbols replaced by this module's D and d_ff,
    matched by name; raises Mismatch for anything else."""
    try:
        expr = sympy.sympify(expr, strict=True)
    except (sympy.SympifyError, TypeError):
        raise Mismatch(f"{what}\n  expected a sympy expression in D and d_ff, got {expr!r}"[:1500]) from None
    if not isinstance(expr, sympy.Expr):
        raise Mismatch(f"{what}\n  expected a sympy expression in D and d_ff, got {expr!r}"[:1500])
    unknown = [s.name for s in expr.free_symbols if s.name not in SYMBOLS]
    if unknown:
        raise Mismatch(f"{what}\n  the formula uses symbols {sorted(unknown)}; use only D and d_ff (the count does "
                       "not depend on n_heads)" + (hint_text("param_heads", HINTS) if any(
                           "head" in u or u in ("h", "H") for u in unknown) else ""))
    return expr.xreplace({s: SYMBOLS[s.name] for s in expr.free_symbols})

