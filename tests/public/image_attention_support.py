"""Shared by the public and hidden image-attention tests: hints, strategies, oracles, the no-loop rule.

The oracle is independent of any student-style code: torch's F.unfold cuts out the 3x3 windows,
torch.softmax weighs them (float64). The catalogued misconceptions are computed from the same
pieces, so that a wrong answer that matches one gets its hint.
"""
from __future__ import annotations

import ast

import numpy as np
import sympy
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch.nn import functional as F

from autograder.checks import Mismatch, assert_close, hint_text, sympy_equivalent

EXERCISE = "image_attention"

HINTS = {
    "softmax_axis": "the softmax runs over the nine window positions (a, b), separately for every output "
                    "pixel and output channel: the nine weights of one (i, j, o) sum to 1.",
    "centre_query": "the query at window position (a, b) is the pixel under that position, x[i + a, j + b, :], "
                    "not the centre pixel of the window: s[a, b] = x[i + a, j + b, :] . k[o, a, b, :].",
    "no_softmax": "the nine scores go through a softmax (exp, then divide by the sum of the nine exps) before "
                  "they weigh the values.",
    "flipped_kernel": "the kernels are not flipped: window position (a, b) meets k[o, a, b] and v[o, a, b], with "
                      "(a, b) = (0, 0) at the top-left pixel (i, j) of the window.",
    "no_padding": "stride 1 and no padding: only windows that fit inside the image count, so the output has "
                  "H - 2 rows and W - 2 columns.",
    "channels_last": "the output keeps the channels-last layout of the input: shape (H - 2, W - 2, C_out).",
    "per_channel_norm": "normalise every channel separately: channel c is divided by the Frobenius norm of the "
                        "H x W matrix image[:, :, c] (not by the norm of the whole image, nor of each pixel).",
    "squared_norm": "the Frobenius norm is the square root of the sum of the squares.",
    "value_params": "the value kernels are trained too: one 3x3x1 value kernel per output channel.",
    "value_kernel_shape": "a value kernel is 3x3x1 (one number per window position), not 3x3xC_in.",
    "per_output_channel": "every output channel has its own key kernel (3x3xC_in) and its own value kernel "
                          "(3x3x1).",
    "no_bias": "the model has no bias: its parameters are the key and value kernels only.",
    "python_loops": "attention_vectorized must not loop in Python (no for/while, comprehensions, map, "
                    "np.vectorize, np.apply_along_axis, also not in functions it calls): cut out all windows "
                    "at once (np.lib.stride_tricks.sliding_window_view) and contract with np.einsum or matmul.",
    "symbol_names": "build the answer from the symbols C_in and C_out defined at the top of the module.",
}

FUNCTIONS = ("attention_loops", "attention_vectorized")

# The parameter symbols (same names and assumptions as in the module).
C_in, C_out = sympy.symbols("C_in C_out", integer=True, positive=True)
KEY_SHAPE, VALUE_SHAPE = (C_out, 3, 3, C_in), (C_out, 3, 3)


# ---------------------------------------------------------------- oracles (torch, float64)
def _t(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a, dtype=np.float64))


def windows(x: np.ndarray) -> torch.Tensor:
    """(H-2, W-2, C_in, 3, 3): the 3x3 windows of x cut out by F.unfold (stride 1, no padding)."""
    h, w, c = x.shape
    cols = F.unfold(_t(x).permute(2, 0, 1).unsqueeze(0), kernel_size=3)          # (1, C_in*9, (H-2)(W-2))
    return cols[0].T.reshape(h - 2, w - 2, c, 3, 3)


def scores(x, k, *, query: str = "window", flip: bool = False) -> torch.Tensor:
    """(H-2, W-2, C_out, 3, 3) scores; ``query="centre"`` and ``flip`` give the catalogued wrong ones."""
    win = windows(x)
    kt = _t(k).flip(1, 2) if flip else _t(k)
    if query == "centre":
        centre = win[..., 1, 1]                                                    # (H-2, W-2, C_in)
        return torch.einsum("ijc,oabc->ijoab", centre, kt)
    return torch.einsum("ijcab,oabc->ijoab", win, kt)


def combine(weights: torch.Tensor, v, flip: bool = False) -> np.ndarray:
    vt = _t(v).flip(1, 2) if flip else _t(v)
    return torch.einsum("ijoab,oab->ijo", weights, vt).numpy()


def softmax9(s: torch.Tensor) -> torch.Tensor:
    return torch.softmax(s.flatten(-2), dim=-1).view(s.shape)


def oracle_attention(x, k, v) -> np.ndarray:
    return combine(softmax9(scores(x, k)), v)


def attention_variants(x, k, v) -> list[tuple[str, np.ndarray]]:
    s = scores(x, k)
    shape = s.shape
    out = [("softmax_axis", combine(torch.softmax(s, dim=2), v)),                 # over the output channels
           ("softmax_axis", combine(torch.softmax(s, dim=-1), v)),                # over b only (each row)
           ("softmax_axis", combine(torch.softmax(s, dim=-2), v)),                # over a only (each column)
           ("softmax_axis", combine(torch.softmax(s.reshape(-1, *shape[2:]), dim=0).view(shape), v)),  # over pixels
           ("centre_query", combine(softmax9(scores(x, k, query="centre")), v)),
           ("no_softmax", combine(s, v)),
           ("no_softmax", combine(torch.exp(s), v)),
           ("flipped_kernel", combine(softmax9(scores(x, k, flip=True)), v, flip=True)),
           ("flipped_kernel", combine(softmax9(scores(x, k, flip=True)), v)),
           ("flipped_kernel", combine(softmax9(s), v, flip=True))]
    right = oracle_attention(x, k, v)
    out.append(("channels_last", np.transpose(right, (2, 0, 1))))
    padded = np.pad(np.asarray(x, dtype=np.float64), ((1, 1), (1, 1), (0, 0)))
    out.append(("no_padding", oracle_attention(padded, k, v)))
    return out


def oracle_normalize(image) -> np.ndarray:
    t = _t(image)
    return (t / torch.linalg.norm(t, dim=(0, 1), keepdim=True)).numpy()


def normalize_variants(image) -> list[tuple[str, np.ndarray]]:
    t = _t(image)
    return [("per_channel_norm", (t / torch.linalg.norm(t)).numpy()),
            ("per_channel_norm", (t / torch.linalg.norm(t, dim=2, keepdim=True)).numpy()),
            ("squared_norm", (t / (t ** 2).sum(dim=(0, 1), keepdim=True)).numpy())]


# ---------------------------------------------------------------- comparisons and hints
def as_array(value):
    if type(value).__module__.startswith("torch"):
        return value.detach().cpu().double().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def numeric_hint(got, expected: np.ndarray, variants) -> str | None:
    g = as_array(got)
    if g is None:
        return None
    for hint, v in variants:
        if v.shape == g.shape and not (v.shape == expected.shape and np.allclose(v, expected)) \
                and np.allclose(g, v, rtol=1e-6, atol=1e-6):
            return hint
    return None


def expect_array(got, expected: np.ndarray, what: str, variants, reveal: bool = True) -> None:
    """Shape then values (float64 tolerances); ``variants()`` is computed only on failure."""
    try:
        assert_close(got, expected, what, reveal=reveal)
    except Mismatch as exc:
        raise Mismatch(str(exc) + hint_text(numeric_hint(got, expected, variants()), HINTS)) from None


# ---------------------------------------------------------------- the parameter count
def expected_num_parameters():
    return sympy.Mul(*KEY_SHAPE) + sympy.Mul(*VALUE_SHAPE)


def num_parameters_variants():
    key, value = sympy.Mul(*KEY_SHAPE), sympy.Mul(*VALUE_SHAPE)
    return [("value_params", key), ("value_kernel_shape", 2 * key), ("per_output_channel", (key + value) / C_out),
            ("no_bias", key + value + C_out)]


def same_count(x, y) -> bool:
    """x == y for counts (checks.sympy_equivalent samples every symbol of both sides)."""
    return sympy_equivalent(x, y)


def expect_num_parameters(got, what: str = "answer_num_parameters()") -> None:
    """A sympy expression in C_in, C_out equal to the count; then its value against the number of entries of
    k and v at a few sizes (never shows the expected formula)."""
    try:
        got = sympy.sympify(got, strict=True)
    except (sympy.SympifyError, TypeError):
        raise Mismatch(f"{what}\n  expected a sympy expression in C_in and C_out; got {got!r}") from None
    names = {s.name for s in got.free_symbols}
    if not names <= {"C_in", "C_out"}:
        raise Mismatch(f"{what}\n  got: {got}\n  uses the symbols {sorted(names - {'C_in', 'C_out'})}; allowed "
                       "here: C_in, C_out" + hint_text("symbol_names", HINTS))
    ours = {"C_in": C_in, "C_out": C_out}
    fixed = got.xreplace({s: ours[s.name] for s in got.free_symbols})
    expected = expected_num_parameters()
    if not same_count(fixed, expected):
        hint = next((h for h, v in num_parameters_variants() if same_count(fixed, v)), None)
        raise Mismatch(f"{what} is not the number of trainable parameters\n  got: {got}" + hint_text(hint, HINTS))
    for cin, cout in ((1, 1), (3, 5), (7, 2)):     # the same count, read off the shapes of real arrays
        count = np.zeros((cout, 3, 3, cin)).size + np.zeros((cout, 3, 3)).size
        value = fixed.subs({C_in: cin, C_out: cout})
        if value != count:
            raise Mismatch(f"{what} at C_in = {cin}, C_out = {cout} is {value}, but k and v have {count} entries")


# ---------------------------------------------------------------- the no-loop rule (reads the source, never runs it)
LOOP_NODES = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
LOOP_CALLS = {"map", "vectorize", "apply_along_axis", "apply_over_axes", "frompyfunc", "fromiter"}
RULE = "attention_vectorized uses no Python loops"


def _top_level_functions(tree: ast.Module) -> dict[str, ast.AST]:
    """name -> its last top-level definition (a later def replaces an earlier one, as when Python runs it)."""
    out: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and (
                isinstance(node.value, ast.Name)                                # an alias: f = g
                or any(isinstance(n, ast.Lambda) for n in ast.walk(node.value))):   # f = lambda ...: [...]
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        out[name.id] = node
    return out


def loops_in(source: str | None, name: str = "attention_vectorized") -> list[str]:
    """``"line N: what"`` for every loop in function ``name`` and in the functions of the file it uses."""
    if not source:
        return ["the file could not be read"]
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"the file does not parse ({exc.msg})"]
    functions = _top_level_functions(tree)
    if not isinstance(functions.get(name), (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [f"no `def {name}(...)` at the top level of the file (the rule reads that function's code)"]
    found, seen, todo = [], set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for node in ast.walk(functions[current]):
            if isinstance(node, LOOP_NODES):
                found.append((node.lineno, f"{type(node).__name__} in {current}"))
            elif isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if called in LOOP_CALLS:
                    found.append((node.lineno, f"{called}(...) in {current}"))
            if isinstance(node, ast.Name) and node.id in functions and node.id != current:
                todo.append(node.id)
    return [f"line {line}: {text}" for line, text in sorted(set(found))]


def check_no_loops(sub) -> None:
    hits = loops_in(sub.source())
    if hits:
        raise Mismatch(f"Rule broken: {RULE}\n  found " + "; ".join(hits[:5]) + hint_text("python_loops", HINTS))


# ---------------------------------------------------------------- strategies
def small_values():
    """Small multiples of 1/2: scores stay moderate, and a failing input reads well."""
    return st.integers(-4, 4).map(lambda n: n / 2)


@st.composite
def attention_inputs(draw, max_side: int = 6, max_channels: int = 3):
    h = draw(st.integers(3, max_side), label="H")
    w = draw(st.integers(3, max_side), label="W")
    cin = draw(st.integers(1, max_channels), label="C_in")
    cout = draw(st.integers(1, max_channels), label="C_out")
    x = draw(hnp.arrays(np.float64, (h, w, cin), elements=small_values()), label="x")
    k = draw(hnp.arrays(np.float64, (cout, 3, 3, cin), elements=small_values()), label="k")
    v = draw(hnp.arrays(np.float64, (cout, 3, 3), elements=small_values()), label="v")
    return x, k, v


def seeded_inputs(h: int, w: int, cin: int, cout: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(h, w, cin)), rng.normal(size=(cout, 3, 3, cin)), rng.normal(size=(cout, 3, 3))


def _no_zero_channel(image: np.ndarray) -> np.ndarray:
    image = image.copy()
    for c in np.flatnonzero(~image.any(axis=(0, 1))):
        image[0, 0, c] = 1.0
    return image


@st.composite
def images(draw, max_side: int = 6, max_channels: int = 3):
    h = draw(st.integers(1, max_side), label="H")
    w = draw(st.integers(1, max_side), label="W")
    c = draw(st.integers(1, max_channels), label="C")
    return _no_zero_channel(draw(hnp.arrays(np.float64, (h, w, c), elements=small_values()), label="image"))


def call(name: str, *arrays) -> str:
    return f"{name}(" + ", ".join(f"{label} of shape {tuple(a.shape)}" for label, a in zip("xkv", arrays)) + ")"


def describe(name: str, x, k, v) -> str:
    """The call, and the arrays themselves when they are small enough to read."""
    text = call(name, x, k, v)
    if x.size + k.size + v.size <= 120:
        text += f"\n  x = {x.tolist()}\n  k = {k.tolist()}\n  v = {v.tolist()}"
    return text


__all__ = ["Mismatch"]
