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
    "softmax_overflow": "exp of a large score overflows to inf (exp(710) is already inf in float64), and inf / inf "
                        "is NaN; exp of scores all below about -745 underflows to 0, and 0 / 0 is NaN. Subtract the "
                        "largest of the nine scores before exp: the softmax does not change, and the largest term "
                        "becomes exp(0) = 1.",
    "global_max": "subtracting one maximum shared by several softmaxes (taken over the whole image, or over all "
                  "output channels of a pixel) keeps exp from overflowing, but a softmax whose nine scores all lie "
                  "far below that maximum gets exp(...) = 0 for all nine, and 0 / 0 is NaN: subtract the maximum "
                  "of the nine scores of that one (i, j, o).",
    "transposed_kernel": "window position (a, b) is row a and column b of the window, x[i + a, j + b], and it "
                         "meets k[o, a, b] and v[o, a, b]: the kernel's first spatial axis runs along the image "
                         "rows, not along the columns.",
    "window_axes": "the windows' axes were reshaped in the wrong order: sliding_window_view(x, (3, 3), axis=(0, 1)) "
                   "gives shape (H-2, W-2, C_in, 3, 3), with the channel axis BEFORE the two window axes; reshaping "
                   "it straight to (..., 9, C_in) mixes channels and window positions. Move the channel axis last "
                   "first (np.moveaxis or np.transpose), or contract with np.einsum naming every axis.",
    "float64": "return float64 arrays, as the exercise text says: a float32 array (or a computation in float32) "
               "keeps only about 7 significant digits.",
    "in_place": "leave the arrays you are given unchanged: an in-place operation on an argument (x /= ..., "
                "x *= ..., x[...] = ..., np.divide(x, n, out=x)) changes the caller's array too. Compute into a "
                "new array (y = x / n).",
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


def _softmax_naive(s: torch.Tensor) -> torch.Tensor:
    """exp(s) / sum exp(s) over the nine positions, without subtracting a maximum (NaN on overflow)."""
    e = torch.exp(s.flatten(-2))
    return (e / e.sum(-1, keepdim=True)).view(s.shape)


def _softmax_global_max(s: torch.Tensor) -> torch.Tensor:
    """One maximum over the whole score array subtracted before exp (0/0 where a window underflows)."""
    e = torch.exp(s.flatten(-2) - s.max())
    return (e / e.sum(-1, keepdim=True)).view(s.shape)


def _softmax_pixel_max(s: torch.Tensor) -> torch.Tensor:
    """One maximum per output pixel, over all output channels and window positions, subtracted before exp."""
    e = torch.exp(s - s.amax(dim=(-3, -2, -1), keepdim=True)).flatten(-2)
    return (e / e.sum(-1, keepdim=True)).view(s.shape)


def _window_axes_scores(x, k) -> torch.Tensor:
    """The (H-2, W-2, C_in, 3, 3) windows reshaped straight to (H-2, W-2, 9, C_in): channels and positions mixed."""
    win = windows(x)
    h2, w2, c = win.shape[:3]
    kt = _t(k)
    mixed = win.reshape(h2, w2, 9, c)
    return torch.einsum("ijnc,onc->ijon", mixed, kt.reshape(kt.shape[0], 9, c)).reshape(h2, w2, -1, 3, 3)


def _padded(x):
    return np.pad(np.asarray(x, dtype=np.float64), ((1, 1), (1, 1), (0, 0)))


def _over_pixels(s: torch.Tensor) -> torch.Tensor:
    return torch.softmax(s.flatten(0, 1), dim=0).view(s.shape)


# Each catalogued misconception as the oracle with one change: (hint id, function of x, k, v).
ATTENTION_VARIANTS = [
    ("softmax_axis", lambda x, k, v: combine(torch.softmax(scores(x, k), dim=2), v)),     # over the output channels
    ("softmax_axis", lambda x, k, v: combine(torch.softmax(scores(x, k), dim=-1), v)),    # over b only (each row)
    ("softmax_axis", lambda x, k, v: combine(torch.softmax(scores(x, k), dim=-2), v)),    # over a only (each column)
    ("softmax_axis", lambda x, k, v: combine(_over_pixels(scores(x, k)), v)),            # over the pixels
    ("centre_query", lambda x, k, v: combine(softmax9(scores(x, k, query="centre")), v)),
    ("no_softmax", lambda x, k, v: combine(scores(x, k), v)),
    ("no_softmax", lambda x, k, v: combine(torch.exp(scores(x, k)), v)),
    ("flipped_kernel", lambda x, k, v: combine(softmax9(scores(x, k, flip=True)), v, flip=True)),
    ("flipped_kernel", lambda x, k, v: combine(softmax9(scores(x, k, flip=True)), v)),
    ("flipped_kernel", lambda x, k, v: combine(softmax9(scores(x, k)), v, flip=True)),
    ("transposed_kernel", lambda x, k, v: combine(softmax9(scores(x, np.swapaxes(k, 1, 2))), np.swapaxes(v, 1, 2))),
    ("transposed_kernel", lambda x, k, v: combine(softmax9(scores(x, np.swapaxes(k, 1, 2))), v)),
    ("transposed_kernel", lambda x, k, v: combine(softmax9(scores(x, k)), np.swapaxes(v, 1, 2))),
    ("window_axes", lambda x, k, v: combine(softmax9(_window_axes_scores(x, k)), v)),
    ("softmax_overflow", lambda x, k, v: combine(_softmax_naive(scores(x, k)), v)),
    ("global_max", lambda x, k, v: combine(_softmax_global_max(scores(x, k)), v)),
    ("global_max", lambda x, k, v: combine(_softmax_pixel_max(scores(x, k)), v)),
    ("channels_last", lambda x, k, v: np.transpose(oracle_attention(x, k, v), (2, 0, 1))),
    ("no_padding", lambda x, k, v: oracle_attention(_padded(x), k, v)),
]


def attention_variants(x, k, v) -> list[tuple[str, np.ndarray]]:
    """What the catalogued misconceptions return on (x, k, v)."""
    return [(hint, fn(x, k, v)) for hint, fn in ATTENTION_VARIANTS]


def oracle_normalize(image) -> np.ndarray:
    t = _t(image)
    return (t / torch.linalg.norm(t, dim=(0, 1), keepdim=True)).numpy()


NORMALIZE_VARIANTS = [
    ("per_channel_norm", lambda image: (_t(image) / torch.linalg.norm(_t(image))).numpy()),          # whole image
    ("per_channel_norm", lambda image: (_t(image) / torch.linalg.norm(_t(image), dim=2, keepdim=True)).numpy()),
    ("squared_norm", lambda image: (_t(image) / (_t(image) ** 2).sum(dim=(0, 1), keepdim=True)).numpy()),
]


def normalize_variants(image) -> list[tuple[str, np.ndarray]]:
    return [(hint, fn(image)) for hint, fn in NORMALIZE_VARIANTS]


# ---------------------------------------------------------------- probe inputs a diagnosis is confirmed on
def seeded_inputs(h: int, w: int, cin: int, cout: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(h, w, cin)), rng.normal(size=(cout, 3, 3, cin)), rng.normal(size=(cout, 3, 3))


def spread_inputs(h: int, w: int, cin: int, cout: int, seed: int = 0):
    """Scores in the hundreds, far apart between windows: the top rows of x near +400, the bottom rows near
    -400, positive keys. exp overflows in the top windows and underflows in the bottom ones."""
    x, k, v = seeded_inputs(h, w, cin, cout, seed)
    x = x + np.where(np.arange(h) < h // 2, 400.0, -400.0)[:, None, None]
    return x, np.abs(k) + 0.5, v


# Non-square, several channels in and out, no symmetry; the last one with far-apart large scores.
ATTENTION_PROBES = [seeded_inputs(5, 4, 2, 3, seed=11), seeded_inputs(4, 6, 3, 2, seed=12),
                    spread_inputs(6, 4, 2, 2, seed=13)]
NORMALIZE_PROBES = [(np.arange(1.0, 25.0).reshape(4, 2, 3) * np.array([1.0, -0.5, 3.0]),),
                    (np.random.default_rng(14).normal(size=(3, 5, 2)) * 2.5,)]


# ---------------------------------------------------------------- comparisons and hints
def as_array(value):
    if type(value).__module__.startswith("torch"):
        return value.detach().cpu().double().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _close_arrays(a, b) -> bool:
    a, b = as_array(a), as_array(b)
    if a is None or b is None or a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(a, b, rtol=1e-6, atol=1e-6, equal_nan=True))


def diagnose(got, inputs, oracle, variants, probes, rerun=None) -> str | None:
    """The one catalogued misconception that reproduces ``got`` on ``inputs`` and, when ``rerun`` (the
    student's function) is given, the student's output on every probe input where a candidate differs from
    the right answer (a probe can single one out of several); else None. None or several left, or a student
    function that raises on a probe: no cause is claimed (the comparison's own lines say what differs)."""
    def value(fn, args):
        try:
            with np.errstate(all="ignore"):
                return fn(*args)
        except Exception:
            return None

    expected = value(oracle, inputs)
    alive = []
    for hint, fn in variants:
        wrong = value(fn, inputs)
        if wrong is not None and _close_arrays(got, wrong) and not _close_arrays(expected, wrong):
            alive.append((hint, fn))
    if rerun is not None:
        for index, probe in enumerate(probes):
            if not alive:
                break
            right = value(oracle, probe)
            outs = [(h, fn, value(fn, probe)) for h, fn in alive]
            if all(_close_arrays(w, right) for _, _, w in outs):
                continue   # this probe cannot tell the candidates from the right answer
            ok, mine = student_on_probe(rerun, index, probe)
            if not ok:
                return None
            alive = [(h, fn) for h, fn, w in outs if _close_arrays(w, mine)]
    ids = {h for h, _ in alive}
    return ids.pop() if len(ids) == 1 else None


def student_on_probe(rerun, index: int, args):
    """(ok, the student's output) for probe ``index`` (see autograder.diagnose.rerun_once)."""
    from autograder.diagnose import rerun_once

    return rerun_once(rerun, index, args)


def check_float64(got, what: str) -> None:
    """The exercise returns float64 arrays: another dtype fails with its own message (after the values)."""
    dtype = getattr(got, "dtype", None)
    if dtype is not None and hasattr(got, "shape") and str(dtype).removeprefix("torch.") != "float64":
        raise Mismatch(f"{what}\n  the values agree, but the array's dtype is {str(dtype).removeprefix('torch.')}; "
                       "expected float64" + hint_text("float64", HINTS))


def expect_array(got, expected: np.ndarray, what: str, inputs, oracle, variants, probes, rerun=None,
                 reveal: bool = True) -> None:
    """Shape, values (float64 tolerances), then the float64 dtype. On a difference, a hint only when
    :func:`diagnose` confirms one misconception (on ``inputs`` and, with ``rerun``, on the probes)."""
    try:
        assert_close(got, expected, what, reveal=reveal)
    except Mismatch as exc:
        raise Mismatch(str(exc) + hint_text(diagnose(got, inputs, oracle, variants, probes, rerun), HINTS)) from None
    check_float64(got, what)


def expect_attention(got, inputs, what: str, rerun=None, expected=None, reveal: bool = True) -> None:
    """``got`` = the student's attention on ``inputs`` = (x, k, v); ``rerun`` = the student's function (for
    confirming a diagnosis on the probes); ``expected`` defaults to the torch oracle."""
    expected = oracle_attention(*inputs) if expected is None else expected
    expect_array(got, expected, what, inputs, oracle_attention, ATTENTION_VARIANTS, ATTENTION_PROBES, rerun, reveal)


def expect_normalized(got, image, what: str, rerun=None, expected=None, reveal: bool = True) -> None:
    expected = oracle_normalize(image) if expected is None else expected
    expect_array(got, expected, what, (image,), oracle_normalize, NORMALIZE_VARIANTS, NORMALIZE_PROBES, rerun,
                 reveal)


# ---------------------------------------------------------------- arguments left unchanged (run in the worker)
def call_keeping_arguments(func, *arrays):
    """Probe: ``func(*arrays)`` where the student code runs; returns the positions of the arrays it changed
    (compared with copies taken before the call) and the error it raised, if any."""
    before = [np.array(a, copy=True) for a in arrays]
    try:
        func(*arrays)
    except NotImplementedError:
        raise   # a stub: "not implemented yet", like every other test
    except Exception as exc:  # noqa: BLE001 - reported as data
        return {"changed": [], "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    changed = [i for i, (a, b) in enumerate(zip(before, arrays))
               if not (np.shape(a) == np.shape(b) and np.array_equal(a, np.asarray(b), equal_nan=True))]
    return {"changed": changed, "error": ""}


call_keeping_arguments.describes = "a call that checks its arguments are left unchanged"


def check_arguments_unchanged(sub, name: str, arrays: dict) -> None:
    """``name(*arrays)`` must leave every array as it was (run where the student's code runs)."""
    got = sub.run_probe(call_keeping_arguments, sub.get_attr(name), *arrays.values())
    labels = list(arrays)
    if not isinstance(got, dict):
        raise Mismatch(f"{name}(...)\n  could not be checked: {got!r}")
    if got.get("error"):
        raise Mismatch(f"{call(name, *arrays.values())}\n  raised {got['error']}")
    changed = [labels[i] for i in got.get("changed", []) if 0 <= i < len(labels)]
    if changed:
        raise Mismatch(f"{call(name, *arrays.values())}\n  changed its argument(s) {', '.join(changed)}: after the "
                       f"call they no longer hold the values passed in" + hint_text("in_place", HINTS))


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
