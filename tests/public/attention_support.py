"""Oracles, strategies, misconceptions and comparisons shared by the attention tests.

Nothing here imports solutions/: the by-hand answers are rebuilt with sympy from the problem's
data (and cross-checked against F.scaled_dot_product_attention), the masks with plain Python
loops, the masked softmax with F.scaled_dot_product_attention, and the moments of q . k from the
raw moments of the normal distribution.
"""
from __future__ import annotations

import functools
import math
import random

import numpy as np
import sympy
import torch
from hypothesis import strategies as st
from torch.nn import functional as F

from autograder.checks import Mismatch, assert_close, exceeds, fail, hint_text, sympy_equivalent

EXERCISE = "attention"

HINTS = {
    "unscaled": "the scores are scaled in this exercise: divide every dot product q . k by sqrt(d_k) "
                "(sqrt(2) in Part A, sqrt(3) in Part B) before the softmax.",
    "mask_zero": "a masked score must be -inf (minus infinity), not 0, before the softmax: exp(0) = 1, so a "
                 "score of 0 still gets a positive weight, while exp(-inf) = 0 removes the position.",
    "minus_inf": "write the masked scores as minus infinity (-sympy.oo or float('-inf')), not as a large "
                 "negative number.",
    "softmax_axis": "the softmax runs over the keys: for each query (a row of the score matrix, the last axis "
                    "of a (B, H, T, T) tensor) the weights sum to 1. You normalised over the queries instead.",
    "wrong_triangle": "the causal mask lets query i see keys j <= i (the past and itself): the allowed "
                      "entries are on and BELOW the diagonal, the masked ones above it.",
    "no_mask": "apply the causal mask: token t may only attend to tokens 1..t, so the scores above the "
               "diagonal are -inf (and their weights 0).",
    "diagonal": "a token may attend to itself: the causal mask keeps the diagonal (j <= i, not j < i).",
    "inverted_mask": "in this exercise True means 'may attend' (as in F.scaled_dot_product_attention): your "
                     "mask is the opposite one (True where attention is blocked).",
    "padding_on_queries": "padding is masked on the KEY axis: no query may attend to a padding token, so the "
                          "padding mask (B, T) becomes (B, 1, 1, T), broadcast over heads and queries "
                          "(not (B, 1, T, 1), which masks queries).",
    "causal_ignored": "the mask combines both conditions: key j is a real token AND (when causal=True) j <= i.",
    "padding_ignored": "the mask combines both conditions: key j is a real token (j < lengths[b]) AND (when "
                       "causal=True) j <= i.",
    "head_axis": "return shape (B, 1, T, T): the axis of length 1 is the head axis, so the same mask "
                 "broadcasts over every head of (B, H, T, T) scores.",
    "padding_off_by_one": "sequence b holds lengths[b] real tokens at positions 0 .. lengths[b]-1, so the "
                          "mask is j < lengths[b] (not j <= lengths[b]).",
    "mask_dtype": "return a boolean mask (torch.bool, or a numpy bool array).",
    "mask_after_softmax": "mask before the softmax (fill with -inf, then softmax): zeroing weights after the "
                          "softmax leaves rows that no longer sum to 1.",
    "mask_not_applied": "the mask is not applied: masked positions must get weight exactly 0.",
    "zero_based_step": "time step 2 is the SECOND query q2 = (2, -1, 3) (steps are numbered from 1 in the "
                       "problem); index 2 in Python is the third one.",
    "step2_no_mask": "the first output at step 2 attends to ALL three keys (no mask); only the last part "
                     "masks k3 and v3.",
    "mean_forgets_d": "q . k is a sum of d terms q_i k_i: add up the means of all d terms.",
    "mean_zero": "the entries have mean mu, not 0, and q and k are independent, so E[q_i k_i] = E[q_i] E[k_i].",
    "var_missing_mu": "the variance depends on mu as well: Var[q_i k_i] = E[q_i^2] E[k_i^2] - (E[q_i] E[k_i])^2 "
                      "with E[q_i^2] = mu^2 + sigma^2 (not sigma^2); the mu terms vanish only when mu = 0.",
    "var_second_moment": "Var[X] = E[X^2] - E[X]^2: subtract the squared mean of each term q_i k_i.",
    "var_forgets_d": "q . k is a sum of d independent terms, so their variances add up.",
    "var_terms_dependent": "the d terms q_i k_i are independent, so the variance of their sum is the sum of "
                           "their variances (it grows like d, not d^2).",
    "scaled_variance": "dividing a random variable by c divides its variance by c^2.",
    "sum_variance": "the variances of independent terms add up: q . k has d terms, each of variance 1 when "
                    "mu = 0 and sigma = 1.",
    "symbols": "use the symbols mu, sigma and d of the task text (sympy.Symbol('mu', real=True), ...).",
    "mc_independent": "q and k are independent: draw them separately (k = q gives E[|q|^2], not E[q . k]).",
    "mc_std": "return the variance of the dot products, not their standard deviation.",
    "mc_seed": "use only a generator seeded with the `seed` argument, so that the same call gives the same "
               "result (np.random.default_rng(seed) or torch.Generator().manual_seed(seed)).",
}


# ---------------------------------------------------------------- the problem's data
X_PART_A = [[1, 0], [0, 1], [1, 1]]
KEYS_B = [[2, 0, 0], [3, -1, 0], [1, 0, 2]]
VALUES_B = [[5, 4, 5], [3, 5, 5], [1, 2, 4]]
QUERIES_B = [[1, 0, 4], [2, -1, 3], [4, 6, 1]]

MU = sympy.Symbol("mu", real=True)
SIGMA = sympy.Symbol("sigma", positive=True)
D = sympy.Symbol("d", positive=True, integer=True)
SYMBOLS = {"mu": MU, "sigma": SIGMA, "d": D}


def one_thread(func):
    """Tiny torch oracles on one thread: waking the thread pool costs more than the work."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return func(*args, **kwargs)
        finally:
            torch.set_num_threads(before)
    return wrapper


# ---------------------------------------------------------------- exact attention (sympy)
def exact_attention(Q, K, V, *, scale, allowed=lambda i, j: True, fill=-sympy.oo, axis: int = 1):
    """(S, A, Y) with sympy: S[i, j] = scale * q_i . k_j where allowed, else ``fill``; A the softmax of S
    over axis 1 (the keys, right) or axis 0 (the queries, a misconception); Y = A V."""
    Q, K, V = sympy.Matrix(Q), sympy.Matrix(K), sympy.Matrix(V)
    raw = Q * K.T * scale
    S = sympy.Matrix(raw.rows, raw.cols, lambda i, j: raw[i, j] if allowed(i, j) else fill)
    E = S.applyfunc(sympy.exp)
    if axis == 1:
        A = sympy.Matrix(S.rows, S.cols, lambda i, j: E[i, j] / sum(E.row(i)))
    else:
        A = sympy.Matrix(S.rows, S.cols, lambda i, j: E[i, j] / sum(E.col(j)))
    return S, A, A * V


@functools.lru_cache(maxsize=None)
def part_a() -> tuple:
    """The right (S, A, Y) of Part A, cross-checked against F.scaled_dot_product_attention."""
    S, A, Y = exact_attention(X_PART_A, X_PART_A, X_PART_A, scale=1 / sympy.sqrt(2), allowed=lambda i, j: j <= i)
    x = torch.tensor(X_PART_A, dtype=torch.float64)[None]
    torch_y = F.scaled_dot_product_attention(x, x, x, is_causal=True)[0]
    assert np.allclose(numeric(Y), torch_y.numpy(), rtol=1e-12, atol=1e-12), "grader's oracle is inconsistent"
    return S, A, Y


@functools.lru_cache(maxsize=None)
def part_a_variants() -> tuple:
    """(hint, (S, A, Y)) for each catalogued misconception of Part A (first match wins)."""
    X = X_PART_A
    r2 = 1 / sympy.sqrt(2)
    causal, upper = (lambda i, j: j <= i), (lambda i, j: j >= i)
    return (
        ("unscaled", exact_attention(X, X, X, scale=1, allowed=causal)),
        ("mask_zero", exact_attention(X, X, X, scale=r2, allowed=causal, fill=0)),
        ("softmax_axis", exact_attention(X, X, X, scale=r2, allowed=causal, axis=0)),
        ("wrong_triangle", exact_attention(X, X, X, scale=r2, allowed=upper)),
        ("no_mask", exact_attention(X, X, X, scale=r2)),
        ("unscaled", exact_attention(X, X, X, scale=1, allowed=causal, fill=0)),
        ("mask_zero", exact_attention(X, X, X, scale=r2, allowed=upper, fill=0)),
    )


def _step2(query: int, scale, masked: bool) -> tuple:
    """(weights, output) at one step of Part B, as 3x1 columns."""
    keys = KEYS_B[:2] if masked else KEYS_B
    values = VALUES_B[:2] if masked else VALUES_B
    _, A, Y = exact_attention([QUERIES_B[query]], keys, values, scale=scale)
    weights = A.T
    if masked:
        weights = weights.col_join(sympy.zeros(1, 1))
    return weights, Y.T


def _step2_fill_zero(scale) -> tuple:
    """Step 2 with the score of k3 set to 0 instead of -oo (the mask filled with 0)."""
    _, A, Y = exact_attention([QUERIES_B[1]], KEYS_B, VALUES_B, scale=scale, allowed=lambda i, j: j < 2, fill=0)
    return A.T, Y.T


@functools.lru_cache(maxsize=None)
def part_b() -> dict:
    """The right answers of Part B, cross-checked against F.scaled_dot_product_attention."""
    r3 = 1 / sympy.sqrt(3)
    weights, output = _step2(1, r3, masked=False)
    _, masked_output = _step2(1, r3, masked=True)
    q, k, v = (torch.tensor(m, dtype=torch.float64)[None] for m in (QUERIES_B, KEYS_B, VALUES_B))
    full = F.scaled_dot_product_attention(q, k, v)[0, 1]
    causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)[0, 1]
    assert np.allclose(numeric(output).ravel(), full.numpy(), rtol=1e-12, atol=1e-12)
    assert np.allclose(numeric(masked_output).ravel(), causal.numpy(), rtol=1e-12, atol=1e-12)
    return {"answer_step2_weights": weights, "answer_step2_output": output,
            "answer_step2_masked_output": masked_output}


@functools.lru_cache(maxsize=None)
def part_b_variants(part: str) -> tuple:
    r3 = 1 / sympy.sqrt(3)
    which = 0 if part == "answer_step2_weights" else 1
    out = []
    if part == "answer_step2_masked_output":
        out += [("mask_not_applied", _step2(1, r3, False)[which]),
                ("mask_zero", _step2_fill_zero(r3)[which]),
                ("unscaled", _step2(1, 1, True)[which]),
                ("zero_based_step", _step2(2, r3, True)[which]),
                ("mask_zero", _step2_fill_zero(1)[which])]
    else:
        out += [("unscaled", _step2(1, 1, False)[which]),
                ("zero_based_step", _step2(2, r3, False)[which]),
                ("step2_no_mask", _step2(1, r3, True)[which]),
                ("zero_based_step", _step2(2, 1, False)[which])]
    return tuple(out)


# ---------------------------------------------------------------- comparing by-hand matrices
def numeric(m: sympy.Matrix) -> np.ndarray:
    """A sympy matrix as float64 (-oo -> -inf)."""
    return np.array([[float(sympy.N(x, 30)) if not x.is_infinite else (math.inf if x == sympy.oo else -math.inf)
                      for x in m.row(i)] for i in range(m.rows)], dtype=np.float64)


def to_matrix(got):
    """The answer as a sympy Matrix: sympy matrices, nested lists, numpy arrays and tensors are accepted;
    a 1D sequence becomes a column. None when it is none of these."""
    if isinstance(got, sympy.MatrixBase):
        return sympy.Matrix(got)
    if isinstance(got, torch.Tensor):
        got = got.detach().to(torch.float64).numpy()
    if isinstance(got, np.ndarray):
        if got.ndim not in (1, 2) or got.dtype.kind not in "biuf":
            return None
        got = got.astype(np.float64).tolist()
    if isinstance(got, (list, tuple)):
        try:
            return sympy.Matrix(got)
        except (TypeError, ValueError, sympy.SympifyError):
            return None
    return None


def same_entry(got, expected) -> bool:
    """Exact answers are equal to the expected one (compared at 60 significant digits, which no different
    closed form of these small numbers matches); answers containing floats must agree to about 6 digits."""
    try:
        g = sympy.sympify(got, strict=True)
    except (sympy.SympifyError, TypeError):
        return False
    if g.free_symbols:
        return False
    if expected.is_infinite or g.is_infinite or g.has(sympy.zoo, sympy.nan):
        return bool(g == expected)
    gv, ev = complex(sympy.N(g, 60)), sympy.N(expected, 60)
    if g.has(sympy.Float):
        return abs(gv - complex(ev)) <= 1e-8 + 1e-6 * abs(complex(ev))
    return bool(abs(sympy.N(g - expected, 60)) < sympy.Float(10) ** -45)


def _same_matrix(got: sympy.Matrix, expected: sympy.Matrix) -> bool:
    return got.shape == expected.shape and all(same_entry(g, e) for g, e in zip(got, expected))


def _numerically_same(got: sympy.Matrix, wrong: sympy.Matrix) -> bool:
    try:
        g = numeric(got)
    except (TypeError, ValueError):
        return False
    w = numeric(wrong)
    return g.shape == w.shape and bool(np.allclose(g, w, rtol=1e-6, atol=1e-8, equal_nan=True))


def diagnose_matrix(got: sympy.Matrix, expected: sympy.Matrix, variants) -> str | None:
    for hint, wrong in variants:
        if wrong.shape == expected.shape and _numerically_same(wrong, expected):
            continue                                   # this misconception gives the right answer here
        if _numerically_same(got, wrong):
            return hint
    return None


def expect_by_hand(got, expected: sympy.Matrix, what: str, variants=(), vector: bool = False) -> None:
    """Shape first, then every entry (exact with sympy, or floats within tolerance); the expected entries
    are never shown. ``vector``: a row is accepted for a column."""
    m = to_matrix(got)
    if m is None:
        fail(what, got, reveal=False, detail="  (expected a sympy.Matrix, or a list / array of numbers)")
    if vector and m.shape == (1, expected.rows):
        m = m.T
    if m.free_symbols:
        raise Mismatch(f"{what}\n  the entries must be numbers, but they use the symbols "
                       f"{sorted(s.name for s in m.free_symbols)}")
    if m.shape != expected.shape:
        raise Mismatch(f"{what}\n  expected shape: {expected.shape}\n  got shape:      {m.shape}")
    bad = [k for k, (g, e) in enumerate(zip(m, expected)) if not same_entry(g, e)]
    if not bad:
        return
    i, j = divmod(bad[0], expected.cols)
    hint = diagnose_matrix(m, expected, variants)
    if hint is None and any(e.is_infinite and g.is_real and g.is_finite and bool(g < -100)
                            for g, e in zip(m, expected)):
        hint = "minus_inf"
    raise Mismatch(f"{what}\n  {len(bad)} of {len(expected)} entries are wrong; the first at [{i}, {j}]: "
                   f"got {m[i, j]}\n  got: {m.tolist()}" + hint_text(hint, HINTS))


# ---------------------------------------------------------------- masks: oracles and misconceptions
def loop_causal(T: int) -> np.ndarray:
    return np.array([[j <= i for j in range(T)] for i in range(T)], dtype=bool).reshape(T, T)


def loop_padding(lengths: list[int], T: int) -> np.ndarray:
    return np.array([[j < n for j in range(T)] for n in lengths], dtype=bool).reshape(len(lengths), T)


def loop_attention_mask(lengths: list[int], T: int, causal: bool) -> np.ndarray:
    return np.array([[[[j < n and (not causal or j <= i) for j in range(T)] for i in range(T)]]
                     for n in lengths], dtype=bool).reshape(len(lengths), 1, T, T)


def causal_variants(T: int) -> list:
    right = loop_causal(T)
    return [("wrong_triangle", right.T.copy()), ("diagonal", np.tril(right, -1)), ("inverted_mask", ~right),
            ("inverted_mask", ~right.T)]


def padding_variants(lengths: list[int], T: int) -> list:
    right = loop_padding(lengths, T)
    return [("padding_off_by_one", loop_padding([n + 1 for n in lengths], T)), ("inverted_mask", ~right)]


def attention_mask_variants(lengths: list[int], T: int, causal: bool) -> list:
    right = loop_attention_mask(lengths, T, causal)
    causal_part = loop_causal(T) if causal else np.ones((T, T), dtype=bool)
    pad = loop_padding(lengths, T)
    on_queries = pad[:, None, :, None] & causal_part[None, None]
    upper = pad[:, None, None, :] & (loop_causal(T).T if causal else causal_part)[None, None]
    out = [("padding_on_queries", on_queries), ("inverted_mask", ~right), ("head_axis", right[:, 0]),
           ("padding_ignored", np.broadcast_to(causal_part, right.shape).copy())]
    if causal:
        out += [("wrong_triangle", upper), ("causal_ignored", np.broadcast_to(pad[:, None, None, :], right.shape))]
    return out


def as_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value
    return None


def expect_mask(got, expected: np.ndarray, what: str, variants) -> None:
    """A boolean mask: type, dtype, shape, then the entries."""
    g = as_numpy(got)
    if g is None:
        fail(what, got, reveal=False, detail="  (expected a torch.bool tensor)")

    def diagnose():
        for hint, wrong in variants:
            if wrong.shape == g.shape and not (wrong.shape == expected.shape and np.array_equal(wrong, expected)) \
                    and np.array_equal(g.astype(bool), wrong):
                return hint
        return None

    if g.shape != expected.shape:
        raise Mismatch(f"{what}\n  expected shape: {expected.shape}\n  got shape:      {tuple(g.shape)}"
                       + hint_text(diagnose(), HINTS))
    if g.dtype != np.bool_:
        if np.array_equal(g, expected.astype(g.dtype)):
            raise Mismatch(f"{what}\n  the entries are right but the dtype is {got.dtype}"
                           + hint_text("mask_dtype", HINTS))
        raise Mismatch(f"{what}\n  got dtype {got.dtype}, expected a boolean mask" + hint_text("mask_dtype", HINTS))
    bad = np.argwhere(g != expected)
    if len(bad):
        where = tuple(int(i) for i in bad[0])
        raise Mismatch(f"{what}\n  {len(bad)} of {expected.size} entries are wrong; the first at {where}: got "
                       f"{bool(g[where])}, expected {bool(expected[where])}\n  got:\n{g.astype(int)}"
                       + hint_text(diagnose(), HINTS))


@one_thread
def sdpa_weights(scores: torch.Tensor, mask) -> torch.Tensor:
    """The masked softmax computed by F.scaled_dot_product_attention: with q = scores, k = v = I and
    scale 1, q k^T is the scores and the output is the weight matrix."""
    T = scores.shape[-1]
    eye = torch.eye(T, dtype=scores.dtype).expand(*scores.shape[:-2], T, T)
    m = None if mask is None else torch.as_tensor(mask)
    return F.scaled_dot_product_attention(scores, eye, eye, attn_mask=m, scale=1.0)


@one_thread
def masked_softmax_variants(scores: torch.Tensor, mask: torch.Tensor) -> list:
    m = torch.as_tensor(mask)
    out = [("mask_zero", torch.softmax(scores.masked_fill(~m, 0.0), -1)),
           ("softmax_axis", torch.softmax(scores.masked_fill(~m, float("-inf")), -2)),
           ("inverted_mask", torch.softmax(scores.masked_fill(m, float("-inf")), -1)),
           ("mask_after_softmax", torch.softmax(scores, -1) * m),
           ("mask_not_applied", torch.softmax(scores, -1)),
           ("mask_zero", torch.softmax(scores.masked_fill(~m, 0.0), -2))]
    return out


def diagnose_numeric(got, expected, variants) -> str | None:
    g = as_numpy(got)
    if g is None:
        return None
    g = g.astype(np.float64)
    e = as_numpy(expected).astype(np.float64)
    for hint, wrong in variants:
        w = as_numpy(wrong).astype(np.float64)
        if w.shape != g.shape or (w.shape == e.shape and np.allclose(w, e, equal_nan=True)):
            continue
        if np.allclose(g, w, rtol=1e-4, atol=1e-5, equal_nan=True):
            return hint
    return None


def expect_weights(got, expected: torch.Tensor, what: str, variants, reveal: bool = True) -> None:
    """Shape, values (float tolerances of the scores' dtype), then: masked weights exactly 0 and dtype."""
    try:
        assert_close(got, expected, what, reveal=reveal)
    except Mismatch as exc:
        raise Mismatch(str(exc) + hint_text(diagnose_numeric(got, expected, variants()), HINTS)) from None
    g = as_numpy(got)
    leaked = (expected.numpy() == 0) & (g != 0)
    if leaked.any():
        where = tuple(int(i) for i in np.argwhere(leaked)[0])
        raise Mismatch(f"{what}\n  masked positions must get weight exactly 0; at {where} got {g[where]!r}"
                       + hint_text("mask_zero", HINTS))
    want = str(expected.dtype).removeprefix("torch.")
    if str(g.dtype) != want:
        raise Mismatch(f"{what}\n  the values are right but the dtype is {g.dtype}; return the scores' dtype "
                       f"({want})")


# ---------------------------------------------------------------- strategies
@st.composite
def mask_cases(draw, max_batch=3, max_heads=3, max_T=6):
    T = draw(st.integers(1, max_T), label="T")
    B = draw(st.integers(1, max_batch), label="B")
    lengths = draw(st.lists(st.integers(1, T), min_size=B, max_size=B), label="lengths")
    return dict(T=T, lengths=lengths, causal=draw(st.booleans(), label="causal"),
                H=draw(st.integers(1, max_heads), label="H"), seed=draw(st.integers(0, 2**16), label="seed"),
                spread=draw(st.sampled_from([1.0, 4.0]), label="spread"),
                mask_form=draw(st.sampled_from(["full", "causal_only", "padding_only"]), label="mask_form"),
                dtype=draw(st.sampled_from(["float32", "float64"]), label="dtype"))


def case_mask(case: dict) -> np.ndarray:
    """The mask of a case, in the form the case asks for (all broadcast to (B, H, T, T))."""
    T, lengths = case["T"], case["lengths"]
    if case["mask_form"] == "causal_only":
        return loop_causal(T)                                        # (T, T)
    if case["mask_form"] == "padding_only":
        return loop_padding(lengths, T)[:, None, None, :]            # (B, 1, 1, T)
    return loop_attention_mask(lengths, T, case["causal"])           # (B, 1, T, T)


def case_scores(case: dict) -> torch.Tensor:
    g = torch.Generator().manual_seed(case["seed"])
    shape = (len(case["lengths"]), case["H"], case["T"], case["T"])
    return (torch.randn(shape, generator=g, dtype=torch.float64) * case["spread"]).to(getattr(torch, case["dtype"]))


def describe_tensor(x) -> str:
    return f"<{tuple(x.shape)} {str(x.dtype).removeprefix('torch.')} tensor>"


# ---------------------------------------------------------------- Part D: moments of q . k
def normal_raw_moments(mu, sigma, n: int = 4) -> list:
    """E[x^r], r = 0..n, for x ~ N(mu, sigma^2) (the usual closed forms)."""
    m = [1, mu, mu**2 + sigma**2, mu**3 + 3 * mu * sigma**2, mu**4 + 6 * mu**2 * sigma**2 + 3 * sigma**4]
    return m[: n + 1]


def dot_moments(mu, sigma, d) -> tuple:
    """(E, Var) of q . k: d independent terms X = q_i k_i with E[X^r] = E[q_i^r]^2."""
    m = normal_raw_moments(mu, sigma, 2)
    return d * m[1] ** 2, d * (m[2] ** 2 - m[1] ** 4)


def expected_mean() -> sympy.Expr:
    return dot_moments(MU, SIGMA, D)[0]


def expected_variance() -> sympy.Expr:
    return sympy.expand(dot_moments(MU, SIGMA, D)[1])


def mean_variants() -> list:
    return [("mean_forgets_d", MU**2), ("mean_zero", sympy.Integer(0)), ("mean_forgets_d", MU),
            ("mean_zero", D * SIGMA**2)]


def variance_variants() -> list:
    m1, m2 = MU, MU**2 + SIGMA**2
    return [("var_missing_mu", D * SIGMA**4), ("var_missing_mu", D * SIGMA**2),
            ("var_missing_mu", D * (SIGMA**4 + MU**2 * SIGMA**2)),
            ("var_second_moment", D * m2**2), ("var_forgets_d", m2**2 - m1**4),
            ("var_terms_dependent", D**2 * (m2**2 - m1**4))]


def standard_normal_expected() -> tuple:
    mean, var = (sympy.simplify(v.subs({MU: 0, SIGMA: 1})) for v in dot_moments(MU, SIGMA, D))
    return (mean, var, sympy.simplify(var / D))


def standard_normal_variants() -> list:
    return [("scaled_variance", (0, D, 1 / sympy.sqrt(D))), ("sum_variance", (0, 1, 1)),
            ("sum_variance", (0, 1, 1 / D))]


def with_our_symbols(expr):
    """``expr`` with each symbol named mu, sigma or d replaced by ours (whatever its assumptions)."""
    expr = sympy.sympify(expr, strict=True)
    return expr.xreplace({s: SYMBOLS[s.name] for s in expr.free_symbols if s.name in SYMBOLS})


def _agree_at_points(a, b, points=4) -> bool:
    rng = random.Random(1)
    for _ in range(points):
        at = {MU: sympy.Rational(rng.randint(-30, 30), 7), SIGMA: sympy.Rational(rng.randint(1, 30), 7),
              D: rng.randint(1, 50)}
        try:
            va, vb = complex(sympy.N(sympy.sympify(a).subs(at))), complex(sympy.N(sympy.sympify(b).subs(at)))
        except (TypeError, ValueError):
            return False
        if exceeds(abs(va - vb), 1e-9 * (1 + abs(vb))):
            return False
    return True


def expect_expression(got, expected, what: str, variants=()) -> None:
    """A sympy expression (or number) in mu, sigma, d: equal to ``expected`` by checks.sympy_equivalent."""
    try:
        g = with_our_symbols(got)
    except (sympy.SympifyError, TypeError):
        fail(what, got, reveal=False, detail="  (expected a sympy expression)")
    extra = sorted(s.name for s in g.free_symbols if s.name not in SYMBOLS)
    if extra:
        raise Mismatch(f"{what}\n  uses the symbols {extra}; allowed: mu, sigma, d" + hint_text("symbols", HINTS))
    if sympy_equivalent(g, expected):
        return
    hint = next((h for h, wrong in variants if not _agree_at_points(wrong, expected) and _agree_at_points(g, wrong)),
                None)
    fail(what + " is not right", got, reveal=False, hint=hint, hints=HINTS)


def mc_tolerances(mu: float, sigma: float, d: int, n: int, z: float = 6.0) -> tuple[float, float]:
    """z standard errors of the sample mean and of the sample variance of n draws of q . k.

    Var(sample mean) = Var/n; Var(sample variance) ~= (m4 - Var^2)/n with m4 the fourth central moment
    of q . k = d c4 + 3 d (d - 1) c2^2 (c2, c4: central moments of one term q_i k_i). z = 6 makes a
    false failure of a correct estimate astronomically unlikely (about 1e-9 per check)."""
    r = [m**2 for m in normal_raw_moments(mu, sigma, 4)]              # raw moments of X = q_i k_i
    c2 = r[2] - r[1] ** 2
    c4 = r[4] - 4 * r[3] * r[1] + 6 * r[2] * r[1] ** 2 - 3 * r[1] ** 4
    var = d * c2
    m4 = d * c4 + 3 * d * (d - 1) * c2**2
    return z * math.sqrt(var / n), z * math.sqrt(max(m4 - var**2, 0.0) / n) + 1e-12


def mc_variants(mu: float, sigma: float, d: int) -> list:
    mean, var = dot_moments(mu, sigma, d)
    same = normal_raw_moments(mu, sigma, 4)                     # k = q: q . q = sum q_i^2
    same_mean = d * same[2]
    same_var = d * (same[4] - same[2] ** 2)
    return [("mc_std", (mean, math.sqrt(var))), ("mc_independent", (same_mean, same_var))]


def expect_mc(got, mu: float, sigma: float, d: int, n: int, what: str, reveal: bool = True,
              exact: tuple | None = None) -> None:
    """A Monte Carlo (mean, var) within z = 6 standard errors of the exact moments (``exact``, else this
    module's formulas)."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        fail(what, got, reveal=False, detail="  (expected a pair (mean, var) of floats)")
    try:
        g = tuple(float(v) for v in got)
    except (TypeError, ValueError):
        fail(what, got, reveal=False, detail="  (expected a pair (mean, var) of floats)")
    mean, var = exact if exact is not None else dot_moments(mu, sigma, d)
    tol_mean, tol_var = mc_tolerances(mu, sigma, d, n)
    if abs(g[0] - mean) <= tol_mean and abs(g[1] - var) <= tol_var:
        return
    hint = None
    tm, tv = mc_tolerances(mu, sigma, d, n, z=10.0)     # looser: only to name a likely mistake
    for h, (wm, wv) in mc_variants(mu, sigma, d):
        if abs(g[0] - wm) <= tm and abs(g[1] - wv) <= tv:
            hint = h
            break
    lines = [what, f"  got (mean, var) = {g}"]
    if reveal:
        lines.append(f"  the exact moments are E = {mean:.6g}, Var = {var:.6g}; a correct estimate from {n} samples "
                     f"is within {tol_mean:.3g} and {tol_var:.3g} of them")
    raise Mismatch("\n".join(lines) + hint_text(hint, HINTS))
