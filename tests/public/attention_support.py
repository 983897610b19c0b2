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
from autograder.diagnose import confirmed

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
    "mask_finite_fill": "the masked scores were replaced by a large but finite negative number (like -1e9 or "
                        "-1e4), not by -inf: when the other scores are even lower (here they are), the masked "
                        "positions get the largest weights. Fill with float('-inf').",
    "causal_default": "causal defaults to True: attention_mask(lengths, T) without the causal argument must give "
                      "the causal padding mask (your function gives the right mask when causal=True is passed).",
    "inputs_changed": "leave the arguments as they were: build a new tensor (masked_fill, torch.where) instead of "
                      "changing scores or mask in place (masked_fill_, scores[...] = ..., +=).",
    "mc_seed_ignored": "the result must depend on the seed argument: seed your generator with it "
                       "(np.random.default_rng(seed)), not with a fixed number.",
    "mc_global_rng": "use a generator of your own (np.random.default_rng(seed) or torch.Generator().manual_seed(seed)); "
                     "seeding or drawing from the global generators (np.random.seed, np.random.normal, "
                     "torch.manual_seed, torch.randn without a generator) changes the random state of the caller.",
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


def unique_hint(found) -> str | None:
    """The one misconception that explains the answer, or None when none or several do (``"id#n"`` names the
    n-th variant of one misconception)."""
    ids = list(dict.fromkeys(h.split("#")[0] for h in found))
    return ids[0] if len(ids) == 1 else None


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
    """The misconception whose answer ``got`` equals; None when none does or when several different ones do
    (the by-hand data is fixed, so no second input can tell them apart)."""
    found = []
    for hint, wrong in variants:
        if wrong.shape == expected.shape and _numerically_same(wrong, expected):
            continue                                   # this misconception gives the right answer here
        if _numerically_same(got, wrong):
            found.append(hint)
    return unique_hint(found)


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


# Each misconception is a function of the input, like the oracle, with one change. A hint is claimed only when
# the student's function reproduces it on the failing input AND on every probe input below that tells it apart
# from the right answer (autograder.diagnose.confirmed), and when exactly one misconception survives.
def causal_variants() -> dict:
    return {"wrong_triangle": lambda T: loop_causal(T).T.copy(), "diagonal": lambda T: np.tril(loop_causal(T), -1),
            "inverted_mask": lambda T: ~loop_causal(T), "inverted_mask#2": lambda T: ~loop_causal(T).T}


CAUSAL_PROBES = (4, 6)


def padding_variants() -> dict:
    return {"padding_off_by_one": lambda x: loop_padding([n + 1 for n in x[0]], x[1]),
            "inverted_mask": lambda x: ~loop_padding(*x)}


PADDING_PROBES = (([2, 4, 1, 3], 4), ([3, 1], 5))


def _attention_mask_variant(kind: str, lengths: list[int], T: int, causal: bool) -> np.ndarray:
    right = loop_attention_mask(lengths, T, causal)
    causal_part = loop_causal(T) if causal else np.ones((T, T), dtype=bool)
    pad = loop_padding(lengths, T)
    if kind == "padding_on_queries":
        return pad[:, None, :, None] & causal_part[None, None]
    if kind == "inverted_mask":
        return ~right
    if kind == "head_axis":
        return right[:, 0]
    if kind == "padding_ignored":
        return np.broadcast_to(causal_part, right.shape).copy()
    if kind == "wrong_triangle":
        return pad[:, None, None, :] & (loop_causal(T).T if causal else causal_part)[None, None]
    if kind == "causal_ignored":                   # always causal, or never: both ignore the argument
        return loop_attention_mask(lengths, T, not causal)
    raise ValueError(kind)


def attention_mask_variants() -> dict:
    kinds = ("padding_on_queries", "inverted_mask", "head_axis", "padding_ignored", "wrong_triangle",
             "causal_ignored")
    return {kind: (lambda x, kind=kind: _attention_mask_variant(kind, *x)) for kind in kinds}


ATTENTION_MASK_PROBES = (([2, 4, 3], 4, True), ([3, 1, 4, 2], 4, False), ([1, 5, 3], 5, True))


def same_mask(a, b) -> bool:
    a, b = as_numpy(a), as_numpy(b)
    if a is None or b is None or a.shape != b.shape or a.dtype.kind not in "biuf":
        return False
    return bool(np.array_equal(a.astype(bool), b.astype(bool)))


def mask_diagnosis(student, reference, variants: dict, failing, probes):
    """A zero-argument function: the confirmed misconception of ``student`` on ``failing``, or None."""
    return lambda: unique_hint(confirmed(student, reference, variants, failing, probes, same=same_mask))


def as_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value
    return None


def expect_mask(got, expected: np.ndarray, what: str, diagnose=lambda: None) -> None:
    """A boolean mask: type, dtype, shape, then the entries. ``diagnose()``: the verified hint, or None."""
    g = as_numpy(got)
    if g is None:
        fail(what, got, reveal=False, detail="  (expected a torch.bool tensor)")

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


FINITE_FILLS = (-1e4, -1e9, -1e10, -1e20, -1e30, -1e38)     # what students write instead of -inf


def _softmax_variant(kind: str, scores: torch.Tensor, mask) -> torch.Tensor:
    m = torch.as_tensor(mask)
    if kind == "mask_zero":
        return torch.softmax(scores.masked_fill(~m, 0.0), -1)
    if kind == "mask_zero#queries":
        return torch.softmax(scores.masked_fill(~m, 0.0), -2)
    if kind == "softmax_axis":
        return torch.softmax(scores.masked_fill(~m, float("-inf")), -2)
    if kind == "inverted_mask":
        return torch.softmax(scores.masked_fill(m, float("-inf")), -1)
    if kind == "mask_after_softmax":
        return torch.softmax(scores, -1) * m
    if kind == "mask_not_applied":
        return torch.softmax(scores, -1)
    if kind.startswith("mask_finite_fill#"):
        fill = float(kind.split("#")[1])
        if fill < torch.finfo(scores.dtype).min:
            raise ValueError("not representable")
        return torch.softmax(scores.masked_fill(~m, fill), -1)
    raise ValueError(kind)


def masked_softmax_variants() -> dict:
    kinds = ["mask_zero", "mask_zero#queries", "softmax_axis", "inverted_mask", "mask_after_softmax",
             "mask_not_applied"] + [f"mask_finite_fill#{fill:g}" for fill in FINITE_FILLS]
    return {kind: one_thread(lambda x, kind=kind: _softmax_variant(kind, *x)) for kind in kinds}


def _softmax_probe(T, lengths, H, seed, spread, mask_form, dtype, low=0.0, causal=True) -> tuple:
    case = dict(T=T, lengths=lengths, causal=causal, H=H, seed=seed, spread=spread, mask_form=mask_form,
                dtype=dtype, low=low)
    return case_scores(case), torch.from_numpy(case_mask(case))


def softmax_probes() -> tuple:
    """Inputs that tell the misconceptions apart: a causal and padding mask, a padding-only mask, scores far
    below every finite fill value."""
    return (_softmax_probe(4, [2, 4], 2, 11, 1.0, "full", "float64"),
            _softmax_probe(5, [3, 5], 1, 12, 2.0, "padding_only", "float32"),
            _softmax_probe(4, [4, 2], 2, 13, 1.0, "full", "float64", low=1e6),
            _softmax_probe(4, [3, 4], 1, 14, 1.0, "full", "float32", low=1e30, causal=False))


def same_weights(a, b) -> bool:
    a, b = as_numpy(a), as_numpy(b)
    if a is None or b is None or a.shape != b.shape or a.dtype.kind not in "biuf":
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=1e-4, atol=1e-5, equal_nan=True))


def softmax_diagnosis(func, scores, mask):
    """A zero-argument function: the confirmed misconception of the student's masked_softmax, or None."""
    return lambda: unique_hint(confirmed(lambda x: func(*x), one_thread(lambda x: sdpa_weights(*x)),
                                         masked_softmax_variants(), (scores, mask), softmax_probes(),
                                         same=same_weights))


def expect_weights(got, expected: torch.Tensor, what: str, diagnose=lambda: None, reveal: bool = True) -> None:
    """Shape, values (float tolerances of the scores' dtype), then: masked weights exactly 0 and dtype."""
    try:
        assert_close(got, expected, what, reveal=reveal)
    except Mismatch as exc:
        raise Mismatch(str(exc) + hint_text(diagnose(), HINTS)) from None
    g = as_numpy(got)
    leaked = (expected.numpy() == 0) & (g != 0)
    if leaked.any():
        where = tuple(int(i) for i in np.argwhere(leaked)[0])
        raise Mismatch(f"{what}\n  masked positions must get weight exactly 0; at {where} got {g[where]!r} "
                       f"(only a score of -inf gives exp(score) = 0 exactly)")
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
                dtype=draw(st.sampled_from(["float32", "float64"]), label="dtype"),
                low=draw(st.sampled_from([0.0, 0.0, 1e6, 1e30]), label="low"))


def case_mask(case: dict) -> np.ndarray:
    """The mask of a case, in the form the case asks for (all broadcast to (B, H, T, T))."""
    T, lengths = case["T"], case["lengths"]
    if case["mask_form"] == "causal_only":
        return loop_causal(T)                                        # (T, T)
    if case["mask_form"] == "padding_only":
        return loop_padding(lengths, T)[:, None, None, :]            # (B, 1, 1, T)
    return loop_attention_mask(lengths, T, case["causal"])           # (B, 1, T, T)


def case_scores(case: dict) -> torch.Tensor:
    """Standard normal scores times ``spread``; with ``low``, all of them at or below -low (far below the finite
    values people fill masks with): -low - |scores| (times low / 10 too when low is huge, so that they stay
    distinct in float32)."""
    g = torch.Generator().manual_seed(case["seed"])
    shape = (len(case["lengths"]), case["H"], case["T"], case["T"])
    scores = torch.randn(shape, generator=g, dtype=torch.float64) * case["spread"]
    low = case.get("low", 0.0)
    if low:
        scores = -scores.abs() * (low / 10 if low > 1e9 else 1.0) - low
    return scores.to(getattr(torch, case["dtype"]))


def describe_scores(case: dict) -> str:
    low = case.get("low", 0.0)
    return f" (all at or below {-low:g})" if low else ""


def describe_tensor(x) -> str:
    return f"<{tuple(x.shape)} {str(x.dtype).removeprefix('torch.')} tensor>"


# ---------------------------------------------------------------- probes (run beside the student's code)
def masked_softmax_keeps_inputs(func, scores, mask) -> list[str]:
    """Probe: call ``func(scores, mask)`` and return the names of the arguments it changed in place."""
    before = {"scores": scores.clone(), "mask": mask.clone()}
    func(scores, mask)
    now = {"scores": scores, "mask": mask}
    return [name for name, old in before.items()
            if now[name].shape != old.shape or now[name].dtype != old.dtype or not torch.equal(now[name], old)]


masked_softmax_keeps_inputs.describes = "masked_softmax"


def _pair(value):
    try:
        return [float(v) for v in value]
    except Exception:   # the comparison reports what came back
        return repr(value)[:200]


def monte_carlo_report(func, args: tuple, other_seed: int) -> dict:
    """Probe: the student's Monte Carlo twice with ``args``, once with another seed, and which global random
    generators (Python's random, NumPy's, torch's) it changed."""
    states = (random.getstate(), np.random.get_state(), torch.get_rng_state())
    first = _pair(func(*args))
    second = _pair(func(*args))
    other = _pair(func(*args[:-1], other_seed))
    changed = []
    if random.getstate() != states[0]:
        changed.append("Python's random")
    now = np.random.get_state()
    if now[0] != states[1][0] or not np.array_equal(now[1], states[1][1]) or tuple(now[2:]) != tuple(states[1][2:]):
        changed.append("numpy's np.random")
    if not torch.equal(torch.get_rng_state(), states[2]):
        changed.append("torch's global generator")
    return {"first": first, "second": second, "other": other, "changed": changed}


monte_carlo_report.describes = "dot_moments_monte_carlo"


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
    hint = unique_hint([h for h, wrong in variants
                        if not _agree_at_points(wrong, expected) and _agree_at_points(g, wrong)])
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
    tm, tv = mc_tolerances(mu, sigma, d, n, z=10.0)     # looser: only to name a likely mistake
    hint = unique_hint([h for h, (wm, wv) in mc_variants(mu, sigma, d)
                        if abs(g[0] - wm) <= tm and abs(g[1] - wv) <= tv
                        and not (abs(wm - mean) <= tol_mean and abs(wv - var) <= tol_var)])
    lines = [what, f"  got (mean, var) = {g}"]
    if reveal:
        lines.append(f"  the exact moments are E = {mean:.6g}, Var = {var:.6g}; a correct estimate from {n} samples "
                     f"is within {tol_mean:.3g} and {tol_var:.3g} of them")
    raise Mismatch("\n".join(lines) + hint_text(hint, HINTS))
