"""Shared by the public and hidden transposed-convolution tests: hints, strategies, torch oracles.

The by-hand sympy answers are checked against matrices that the tests *build from torch*:
F.conv1d applied to unit vectors with a unit kernel e_m gives the 0/1 pattern of tap m, and
the symbolic matrix is sum_m w_m * pattern_m. No answer is written out anywhere.
"""
from __future__ import annotations

import functools

import numpy as np
import sympy
import torch
from hypothesis import strategies as st
from torch.nn import functional as F

from autograder.checks import Mismatch, assert_close, expands_to_zero, fail, hint_text, sympy_equivalent

EXERCISE = "transposed_conv"

HINTS = {
    "no_zero_padding": "the kernel slides over the zero-padded input: padding=p puts p zeros at each end, "
                       "so the first window starts p places before x[0] (in Part A it covers the leading "
                       "zero of x~ = (0, x0, x1, x2, x3, 0), x0 and x1). Without the padding the windows "
                       "start at x[0] and there are fewer of them.",
    "reading_x_tilde": "in Part A, A multiplies the padded vector x~ (y = A x~), so it has six columns, "
                       "one for each entry of x~, the padded zeros included.",
    "padded_columns": "conv_matrix acts on x itself, so it has `length` columns; the padded zeros are not "
                      "part of x and get no column (drop the first and last `padding` columns of the "
                      "padded-input matrix).",
    "flipped_kernel": "PyTorch's convolution is a cross-correlation: y[n] = sum_m w[m] * u[s*n + m]. The "
                      "kernel is not flipped, so w0 meets the first input of each window.",
    "stride_one": "with stride 2 the window moves two places per output: output n starts at input 2n, "
                  "so there is one row per *strided* window, not one per position.",
    "transposed_matrix": "A has one row per output y[n] and one column per input entry; you returned its "
                         "transpose.",
    "column_vector": "A^T z is a column: A^T is 6x2 and z is 2x1, so the product is a 6x1 Matrix "
                     "(z^T A would be the 1x6 row).",
    "torch_length": "nn.ConvTranspose1d returns (L_in - 1)*stride - 2*padding + kernel_size + output_padding "
                    "values: for z of length 2 that is 5, one fewer than A^T z has. It leaves out the last "
                    "entry of A^T z (the one on the trailing padded zero, always 0); A^T z itself keeps all six.",
    "output_padding": "padding=p crops p values from each end of the transposed convolution's output; "
                      "output_padding adds values back at the end only (it must be smaller than the stride).",
    "padding_offset": "with padding p, tap m of output n reads x[s*n + m - p] (the p padded zeros come first): "
                      "your matrix places every window p columns too far to the right, as if the input were not "
                      "padded at its start.",
    "kernel_dtype": "conv_matrix must work for a float32 kernel too (the same call with the kernel as float64 "
                    "worked): convert w, e.g. w.to(torch.float64), before combining it with float64 tensors.",
    "batch_axes": "return a 1D tensor: drop the batch and channel axes that nn.ConvTranspose1d works with.",
    "not_real": "declare the symbols real, e.g. sympy.symbols('w0 w1 w2 z0 z1', real=True): to sympy, a "
                "symbol without that assumption is a different symbol with the same name.",
    "symbol_names": "use exactly the symbols w0, w1, w2 (for the kernel) and z0, z1 (for z).",
}

W_NAMES, Z_NAMES = ("w0", "w1", "w2"), ("z0", "z1")


def real_symbols(names) -> tuple:
    return tuple(sympy.Symbol(n, real=True) for n in names)


# ---------------------------------------------------------------- torch oracles
def one_thread(func):
    """Run a tiny torch oracle on one thread: on a busy machine, waking the intra-op thread pool for a
    microsecond-sized convolution costs milliseconds. The previous thread count is restored."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return func(*args, **kwargs)
        finally:
            torch.set_num_threads(before)
    return wrapper


@one_thread
def tap_patterns(length: int, kernel: int, stride: int, padding: int) -> list[np.ndarray]:
    """pattern[m][n, j] = 1 where tap m of window n reads x[j]: F.conv1d of the unit vectors with kernel e_m."""
    eye = torch.eye(length, dtype=torch.float64).unsqueeze(1)         # batch of unit vectors, (length, 1, length)
    taps = torch.eye(kernel, dtype=torch.float64)
    return [F.conv1d(eye, taps[m].view(1, 1, -1), stride=stride, padding=padding)[:, 0, :].T.numpy()
            for m in range(kernel)]


@one_thread
def torch_conv_matrix(w: torch.Tensor, length: int, stride: int = 1, padding: int = 0) -> torch.Tensor:
    """The matrix of F.conv1d on inputs of ``length``: F.conv1d applied to every unit vector (float64)."""
    eye = torch.eye(length, dtype=torch.float64).unsqueeze(1)
    return F.conv1d(eye, w.to(torch.float64).view(1, 1, -1), stride=stride, padding=padding)[:, 0, :].T


def symbolic_conv_matrix(w_syms, length: int, stride: int, padding: int = 0) -> sympy.Matrix:
    patterns = tap_patterns(length, len(w_syms), stride, padding)
    out = sympy.zeros(*patterns[0].shape)
    for w_m, pattern in zip(w_syms, patterns):
        out += w_m * sympy.Matrix(pattern.astype(int).tolist())
    return out


def by_hand_matrix() -> sympy.Matrix:
    """Part A's A, built from F.conv1d: stride 2 over the six entries of x~, no further padding."""
    return symbolic_conv_matrix(real_symbols(W_NAMES), 6, 2)


def by_hand_variants() -> list[tuple[str, sympy.Matrix]]:
    """What the catalogued misconceptions give for Part A's A (first match wins)."""
    w = real_symbols(W_NAMES)
    right = by_hand_matrix()
    unpadded_shifted = sympy.zeros(2, 1).row_join(symbolic_conv_matrix(w, 5, 2))   # windows start at x0
    return [
        ("no_zero_padding", symbolic_conv_matrix(w, 4, 2)),             # conv of x itself: one window
        ("no_zero_padding", unpadded_shifted),
        ("no_zero_padding", unpadded_shifted[:, 1:5]),
        ("reading_x_tilde", symbolic_conv_matrix(w, 4, 2, padding=1)),  # columns for x only
        ("flipped_kernel", symbolic_conv_matrix(w[::-1], 6, 2)),
        ("stride_one", symbolic_conv_matrix(w, 6, 1)),
        ("transposed_matrix", right.T),
    ]


def transposed_output_variants() -> list[tuple[str, sympy.Matrix]]:
    z = sympy.Matrix(real_symbols(Z_NAMES))
    right = by_hand_matrix().T * z
    out = [("column_vector", right.T), ("torch_length", right[:5, :])]
    for hint, wrong_a in by_hand_variants():
        if wrong_a.rows == 2 and hint != "transposed_matrix":
            out.append((hint, wrong_a.T * z))
            out.append((hint, (wrong_a.T * z).T))
    return out


# ---------------------------------------------------------------- sympy comparison
def _same_fast(a: sympy.Matrix, b: sympy.Matrix) -> bool:
    return a.shape == b.shape and all(expands_to_zero(x - y, timeout=1.0) for x, y in zip(a, b))


def _realified(got: sympy.Matrix) -> sympy.Matrix:
    """``got`` with every symbol named like one of ours replaced by our real symbol."""
    ours = {s.name: s for s in real_symbols(W_NAMES + Z_NAMES)}
    return got.xreplace({s: ours[s.name] for s in got.free_symbols if s.name in ours})


def expect_sympy_matrix(got, expected: sympy.Matrix, what: str, variants, allowed_names) -> None:
    """Shape first, then every entry with checks.sympy_equivalent; never shows the expected entries."""
    if not isinstance(got, sympy.MatrixBase):
        fail(what, got, reveal=False, detail="  (expected a sympy.Matrix)")
    names = {s.name for s in got.free_symbols}
    if not names <= set(allowed_names):
        raise Mismatch(f"{what}\n  uses the symbols {sorted(names - set(allowed_names))}; allowed here: "
                       f"{', '.join(allowed_names)}" + hint_text("symbol_names", HINTS))
    fixed = _realified(got)
    not_real = fixed != got

    def diagnose():
        # Claimed only when the matching variants agree on one hint (a look-alike of two mistakes names none).
        matches = {h for h, v in variants if not _same_fast(v, expected) and _same_fast(fixed, v)}
        hint = matches.pop() if len(matches) == 1 else None
        if hint is None and not matches and not_real:
            hint = "not_real"   # observed: the symbols have our names but not the real assumption
        return hint

    if got.shape != expected.shape:
        raise Mismatch(f"{what}\n  expected shape: {expected.shape}\n  got shape:      {got.shape}"
                       + hint_text(diagnose(), HINTS))
    bad = [(i, j) for i in range(expected.rows) for j in range(expected.cols)
           if not sympy_equivalent(got[i, j], expected[i, j])]
    if bad:
        i, j = bad[0]
        raise Mismatch(f"{what}\n  {len(bad)} of {len(expected)} entries are wrong; the first at [{i}, {j}]: "
                       f"got {got[i, j]}\n  got matrix: {got.tolist()}" + hint_text(diagnose(), HINTS))


# ---------------------------------------------------------------- numeric checks and hints
@one_thread
def conv_matrix_variants(w: torch.Tensor, length: int, stride: int, padding: int) -> list[tuple[str, torch.Tensor]]:
    right = torch_conv_matrix(w, length, stride, padding)
    out = [("flipped_kernel", torch_conv_matrix(w.flip(0), length, stride, padding)),
           ("transposed_matrix", right.T)]
    if padding:
        if length >= len(w):
            out.append(("no_zero_padding", torch_conv_matrix(w, length, stride, 0)))
        out.append(("padded_columns", torch_conv_matrix(w, length + 2 * padding, stride, 0)))
        # the right number of rows, but every window placed as if the padding were all at the end
        out.append(("padding_offset", torch_conv_matrix(w, length + 2 * padding, stride, 0)[:, :length]))
    if stride > 1:
        out.append(("stride_one", torch_conv_matrix(w, length, 1, padding)))
    return out


def as_array(value):
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64).numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr


def _matches(got, value, expected) -> bool:
    """``got`` equals the wrong ``value`` and the right answer does not."""
    g, v, e = as_array(got), as_array(value), as_array(expected)
    if g is None or v is None:
        return False
    if e is not None and v.shape == e.shape and np.allclose(v, e):
        return False
    return v.shape == g.shape and bool(np.allclose(g, v, atol=1e-5))


def numeric_hint(got, expected, variants) -> str | None:
    """The hint of the variants ``got`` equals; None when none match or variants of different hints do."""
    hints = {hint for hint, v in variants if _matches(got, v, expected)}
    return hints.pop() if len(hints) == 1 else None


def confirmed_on_probes(hint: str, student, probes, variants_of, expected_of) -> bool:
    """The cause ``hint`` also reproduces the student's output on each probe input that can show it.

    ``student(probe)`` reruns the student's function; ``variants_of(probe)`` lists (hint, wrong value),
    ``expected_of(probe)`` is the right value. A probe where no variant of ``hint`` differs from the right
    value says nothing; an error of the student's code on a probe confirms nothing.
    """
    from autograder.errors import GradingAbort

    for probe in probes:
        expected = expected_of(probe)
        wrong = [v for h, v in variants_of(probe) if h == hint and not _matches(expected, v, None)]
        if not wrong:
            continue
        try:
            got = student(probe)
        except (Exception, GradingAbort):  # noqa: BLE001 - no cause is claimed for an inconsistent function
            return False
        if not any(_matches(got, v, expected) for v in wrong):
            return False
    return True


# Probe kernels and inputs: distinct non-zero entries, so no two mistakes look alike on them.
PROBE_W = ([3, -5, 7, 2, -4, 6, -1, 8, -9], [-2, 9, 4, -7, 5, 1, -6, 3, 8])
PROBE_Z = ([4, -3, 6, 1, -8, 2, 5, -7, 9, -2, 3, -6, 7, 1, -4, 8, -5, 2, 6, -9],
           [-5, 2, 8, -1, 3, -7, 6, 4, -2, 9, -8, 1, 5, -3, 7, -6, 2, 9, -4, 3])


def conv_matrix_probes(s: dict) -> list[dict]:
    """Settings like ``s`` (same length, stride, padding, kernel size) with the probe kernels."""
    return [dict(s, w=list(w[:len(s["w"])])) for w in PROBE_W]


def transpose_probes(s: dict) -> list[dict]:
    return [dict(s, w=list(w[:len(s["w"])]), z=list(z[:len(s["z"])])) for w, z in zip(PROBE_W, PROBE_Z)]


def expect_matrix(got, expected: torch.Tensor, what: str, variants, reveal: bool = True, confirm=None) -> None:
    """Shape then values; float32 answers are compared with float32 tolerances.

    ``variants()`` lists (hint id, wrong value); it is computed only when the check fails. ``confirm(hint)``,
    when given, reruns the student's function on probe inputs (see :func:`confirmed_on_probes`): a hint is
    shown only when it holds there too.
    """
    if isinstance(got, torch.Tensor) and got.dtype == torch.float32:
        expected = expected.to(torch.float32)
    try:
        assert_close(got, expected, what, reveal=reveal)
    except Mismatch as exc:
        hint = numeric_hint(got, expected, variants())
        if hint is not None and confirm is not None and not confirm(hint):
            hint = None
        raise Mismatch(str(exc) + hint_text(hint, HINTS)) from None


@one_thread
def torch_conv_transpose(z: torch.Tensor, w: torch.Tensor, stride: int, padding: int = 0,
                         output_padding: int = 0) -> torch.Tensor:
    """F.conv_transpose1d on 1D tensors (one batch element, one channel), as a 1D tensor."""
    return F.conv_transpose1d(z.view(1, 1, -1), w.view(1, 1, -1), stride=stride, padding=padding,
                              output_padding=output_padding).view(-1)


@one_thread
def conv_transpose_variants(w: torch.Tensor, z: torch.Tensor, stride: int) -> list[tuple[str, torch.Tensor]]:
    right = F.conv_transpose1d(z.view(1, 1, -1), w.view(1, 1, -1), stride=stride)
    flat = right.view(-1)
    return [("batch_axes", right), ("batch_axes", right[0]),
            ("torch_length", torch.cat([flat, torch.zeros(1, dtype=flat.dtype)])),
            ("torch_length", torch.cat([flat, torch.zeros(stride - 1, dtype=flat.dtype)])),
            ("flipped_kernel", F.conv_transpose1d(z.view(1, 1, -1), w.flip(0).view(1, 1, -1), stride=stride).view(-1))]


def matrix_confirm(sub, s: dict, dtype=torch.float64):
    """``confirm`` for :func:`expect_matrix` on conv_matrix: rerun the student's conv_matrix with the probe kernels."""
    def student(p):
        return sub.conv_matrix(torch.tensor(p["w"], dtype=dtype), p["length"], stride=p["stride"], padding=p["padding"])

    def w64(p):
        return torch.tensor(p["w"], dtype=torch.float64)

    return lambda hint: confirmed_on_probes(
        hint, student, conv_matrix_probes(s),
        lambda p: conv_matrix_variants(w64(p), p["length"], p["stride"], p["padding"]),
        lambda p: torch_conv_matrix(w64(p), p["length"], p["stride"], p["padding"]))


def transpose_confirm(sub, s: dict):
    """``confirm`` for :func:`expect_matrix` on conv_transpose_output, with the probe kernels and inputs."""
    def wz(p):
        return torch.tensor(p["w"], dtype=torch.float32), torch.tensor(p["z"], dtype=torch.float32)

    def student(p):
        w, z = wz(p)
        return sub.conv_transpose_output(w, z, stride=p["stride"])

    return lambda hint: confirmed_on_probes(
        hint, student, transpose_probes(s), lambda p: conv_transpose_variants(*wz(p), p["stride"]),
        lambda p: torch_conv_transpose(wz(p)[1], wz(p)[0], p["stride"]))


# ---------------------------------------------------------------- strategies
def small_ints(n: int):
    """n small integers (the tests turn them into float tensors): sums stay exact in float32 and float64,
    and a failing input reads well."""
    return st.lists(st.integers(-9, 9), min_size=n, max_size=n)


@st.composite
def conv_settings(draw, max_kernel=5, max_stride=4, max_padding=3, max_extra=12, with_z=False):
    kernel = draw(st.integers(1, max_kernel), label="kernel_size")
    stride = draw(st.integers(1, max_stride), label="stride")
    padding = draw(st.integers(0, max_padding), label="padding")
    length = draw(st.integers(max(1, kernel - 2 * padding), max(1, kernel - 2 * padding) + max_extra), label="length")
    w = draw(small_ints(kernel), label="w")
    out = dict(w=w, length=length, stride=stride, padding=padding)
    if with_z:
        out["z"] = draw(small_ints(conv_out_length(length, kernel, stride, padding)), label="z")
    return out


@st.composite
def transpose_settings(draw, max_kernel=5, max_stride=4, max_inputs=6, with_x=False):
    kernel = draw(st.integers(1, max_kernel), label="kernel_size")
    stride = draw(st.integers(1, max_stride), label="stride")
    n = draw(st.integers(1, max_inputs), label="len(z)")
    out = dict(w=draw(small_ints(kernel), label="w"), z=draw(small_ints(n), label="z"), stride=stride)
    if with_x:   # an input whose convolution has exactly len(z) outputs
        out["x"] = draw(small_ints((n - 1) * stride + kernel), label="x")
    return out


def conv_out_length(length: int, kernel: int, stride: int, padding: int) -> int:
    return (length + 2 * padding - kernel) // stride + 1


def matrix_call(s: dict, dtype: str = "float64") -> str:
    return (f"conv_matrix(torch.tensor({s['w']}, dtype=torch.{dtype}), {s['length']}, stride={s['stride']}, "
            f"padding={s['padding']})")


def transpose_call(s: dict) -> str:
    return (f"conv_transpose_output(torch.tensor({s['w']}, dtype=torch.float32), "
            f"torch.tensor({s['z']}, dtype=torch.float32), stride={s['stride']})")


__all__ = ["Mismatch"]
