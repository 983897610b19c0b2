"""Public grading tests for exercises/transposed_conv.py.

Part A's sympy matrices are compared, entry by entry with sympy, to matrices built here from
F.conv1d on unit vectors; Part B's numbers against hashed answer keys; Part C against
F.conv1d / F.conv_transpose1d on settings hypothesis draws, and with the adjoint identity.

Promises of the docstrings and the tests that exercise them:

==========================================================  ===================================================
promise                                                     test(s)
==========================================================  ===================================================
A: 2x6 sympy Matrix in real w0..w2, on the padded x~        test_answer_conv_matrix
A^T z: 6x1 column in real w0..w2, z0, z1                    test_answer_transposed_output
length / dropped entries / (padding, output_padding)        test_by_hand_answer (hashed keys)
conv_matrix: any K, stride, padding, length (L_out rows,    test_conv_matrix_matches_conv1d,
`length` columns, no padded columns)                        test_conv_matrix_transpose_is_conv_transpose1d;
                                                            hidden: test_conv_matrix_on_wide_settings
conv_matrix: float64 and float32 kernels                    test_conv_matrix_matches_conv1d (w_dtype drawn)
conv_matrix: numpy array or tensor accepted                 alternatives (numpy_float32_and_downsampling)
conv_transpose_output: exactly the layer's length and       test_conv_transpose_output_matches_nn_conv_transpose1d;
values, 1D, any K and stride, len(z) >= 1                   hidden: test_conv_transpose_output_on_longer_inputs
adjoint <A x, z> = <x, A^T z>                               test_adjoint_identity
==========================================================  ===================================================

Numeric hints are claimed only when one mistake reproduces the output on the failing input and on
two probe settings with other kernels (transposed_conv_support.confirmed_on_probes).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, check_keyed_answer, exceeds, hint_text, is_integer, load_keys

from .transposed_conv_support import (EXERCISE, HINTS, W_NAMES, Z_NAMES, as_array, by_hand_matrix, by_hand_variants,
                                      conv_matrix_variants, conv_settings, conv_transpose_variants,
                                      expect_matrix, expect_sympy_matrix, matrix_call, matrix_confirm, numeric_hint,
                                      real_symbols, torch_conv_matrix, torch_conv_transpose, transpose_call,
                                      transpose_confirm, transpose_settings, transposed_output_variants)

pytestmark = pytest.mark.exercise(EXERCISE)

SEED_CASE = dict(w=[1, 2, 3], z=[10, 100], stride=2)   # the problem's setting with numbers in it


# ---------------------------------------------------------------- Part A (sympy)
@weight(2)
def test_answer_conv_matrix(submission):
    """A: the 2x6 matrix of the stride-2 convolution on the padded input, in w0, w1, w2."""
    got = submission(EXERCISE).answer_conv_matrix()
    expect_sympy_matrix(got, by_hand_matrix(), "answer_conv_matrix()", by_hand_variants(), W_NAMES)


@weight(2)
def test_answer_transposed_output(submission):
    """A^T z: a 6x1 column in w0, w1, w2, z0, z1."""
    got = submission(EXERCISE).answer_transposed_output()
    expected = by_hand_matrix().T * sympy.Matrix(real_symbols(Z_NAMES))
    expect_sympy_matrix(got, expected, "answer_transposed_output()", transposed_output_variants(),
                        W_NAMES + Z_NAMES)


# ---------------------------------------------------------------- Part B (answer keys)
KEYS = load_keys(EXERCISE, Path(__file__).resolve().parents[2])
KEYED_PARTS = ["answer_conv_transpose_length", "answer_dropped_entries", "answer_transpose_padding"]


def _validator(part: str):
    def check(value):
        if part == "answer_conv_transpose_length":
            return None if is_integer(value) else "the answer is an int."
        if not (isinstance(value, (tuple, list)) and all(is_integer(v) for v in value)):
            return "the answer is a tuple of ints."
        if part == "answer_transpose_padding" and len(value) != 2:
            return "the answer is a pair (padding, output_padding)."
        return None
    return check


@weight(1)
@pytest.mark.parametrize("part", KEYED_PARTS)
def test_by_hand_answer(submission, part):
    """By-hand answer about nn.ConvTranspose1d"""
    got = getattr(submission(EXERCISE), part)()
    check_keyed_answer(got, KEYS, EXERCISE, part, f"{part}()", hints=HINTS, validate=_validator(part))


# ---------------------------------------------------------------- Part C (torch)
@weight(2)
@settings(max_examples=40)
@given(s=transpose_settings())
@example(s=SEED_CASE)
def test_conv_transpose_output_matches_nn_conv_transpose1d(submission, s):
    """conv_transpose_output returns what nn.ConvTranspose1d returns (same length, same values)."""
    w, z = torch.tensor(s["w"], dtype=torch.float32), torch.tensor(s["z"], dtype=torch.float32)
    sub = submission(EXERCISE)
    got = sub.conv_transpose_output(w, z, stride=s["stride"])
    expected = torch_conv_transpose(z, w, s["stride"])
    expect_matrix(got, expected, f"{transpose_call(s)}\n  compared with F.conv_transpose1d (nn.ConvTranspose1d)",
                  lambda: conv_transpose_variants(w, z, s["stride"]), confirm=transpose_confirm(sub, s))


@weight(3)
@settings(max_examples=40)
@given(s=conv_settings(), w_dtype=st.sampled_from(["float64", "float32"]))
@example(s=dict(w=[1, 2, 3], length=6, stride=2, padding=0), w_dtype="float64")
@example(s=dict(w=[1, 2, 3], length=4, stride=2, padding=1), w_dtype="float64")
@example(s=dict(w=[2, -1, 3], length=5, stride=2, padding=1), w_dtype="float32")
def test_conv_matrix_matches_conv1d(submission, s, w_dtype):
    """conv_matrix: A @ x equals F.conv1d(x) for every x (checked on every unit vector, i.e. column by column),
    for float64 and float32 kernels."""
    dtype = getattr(torch, w_dtype)
    w = torch.tensor(s["w"], dtype=dtype)
    sub = submission(EXERCISE)
    try:
        got = sub.conv_matrix(w, s["length"], stride=s["stride"], padding=s["padding"])
    except Exception as exc:  # noqa: BLE001 - reported with its text; a float32 kernel may be the cause
        hint = None
        if dtype != torch.float64:
            try:   # verified: the same call with the kernel as float64 works and is right
                again = as_array(sub.conv_matrix(w.double(), s["length"], stride=s["stride"], padding=s["padding"]))
                right = torch_conv_matrix(w, s["length"], s["stride"], s["padding"]).numpy()
                if again is not None and again.shape == right.shape and np.allclose(again, right):
                    hint = "kernel_dtype"
            except Exception:  # noqa: BLE001 - then no cause is claimed
                pass
        said = str(exc) if type(exc).__name__ == "StudentCodeError" else f"Your code raised {type(exc).__name__}: {exc}"
        raise Mismatch(f"{matrix_call(s, w_dtype)}\n  {said[:1500]}" + hint_text(hint, HINTS)) from None
    expected = torch_conv_matrix(w, s["length"], s["stride"], s["padding"])
    expect_matrix(got, expected, f"{matrix_call(s, w_dtype)}\n  column j (= A @ e_j) compared with F.conv1d(e_j, w, "
                                 f"stride={s['stride']}, padding={s['padding']})",
                  lambda: conv_matrix_variants(w, s["length"], s["stride"], s["padding"]),
                  confirm=matrix_confirm(sub, s, dtype))


@weight(2)
@settings(max_examples=40)
@given(s=conv_settings(with_z=True))
@example(s=dict(w=[1, 2, 3], length=4, stride=2, padding=1, z=[10, 100]))
def test_conv_matrix_transpose_is_conv_transpose1d(submission, s):
    """A^T z equals F.conv_transpose1d(z) with the output_padding that gives back `length` values."""
    w, z = torch.tensor(s["w"], dtype=torch.float64), torch.tensor(s["z"], dtype=torch.float64)
    kernel, stride, padding, length = len(s["w"]), s["stride"], s["padding"], s["length"]
    n_out = len(s["z"])
    sub = submission(EXERCISE)
    got = sub.conv_matrix(w, length, stride=stride, padding=padding)
    right_a = torch_conv_matrix(w, length, stride, padding)
    variants = lambda: conv_matrix_variants(w, length, stride, padding)  # noqa: E731
    confirm = matrix_confirm(sub, s)   # a hint names a mistake of A: rerun conv_matrix with the probe kernels
    A = as_array(got)
    if A is None or A.ndim != 2 or A.shape[0] != n_out:   # A^T z is not even defined: report A itself
        expect_matrix(got, right_a, f"{matrix_call(s)} (its shape)", variants, confirm=confirm)
    full = (n_out - 1) * stride - 2 * padding + kernel
    output_padding = length - full    # in [0, stride): inputs after the last window, which no output reads
    expected = torch_conv_transpose(z, w, stride, padding, output_padding)
    what = (f"A.T @ z with A = {matrix_call(s)}, z = {s['z']}\n  compared with F.conv_transpose1d(z, w, "
            f"stride={stride}, padding={padding}, output_padding={output_padding})")
    wrong = lambda: [(h, v.numpy().T @ z.numpy()) for h, v in variants()  # noqa: E731
                     if h != "transposed_matrix" and v.shape[0] == n_out]
    expect_matrix(torch.from_numpy(A.T @ z.numpy()), expected, what, wrong, confirm=confirm)


@weight(1)
@settings(max_examples=40)
@given(s=transpose_settings(with_x=True))
@example(s=dict(SEED_CASE, x=[1, 2, 3, 4, 5]))
def test_adjoint_identity(submission, s):
    """<A x, z> = <x, conv_transpose_output(w, z)> with your conv_matrix and your conv_transpose_output."""
    kernel, n, stride = len(s["w"]), len(s["z"]), s["stride"]
    length = len(s["x"])            # (n - 1) * stride + kernel: its convolution has len(z) outputs
    sub = submission(EXERCISE)
    A = as_array(sub.conv_matrix(torch.tensor(s["w"], dtype=torch.float64), length, stride=stride, padding=0))
    t = as_array(sub.conv_transpose_output(torch.tensor(s["w"], dtype=torch.float32),
                                            torch.tensor(s["z"], dtype=torch.float32), stride=stride))
    x, z = np.array(s["x"], dtype=np.float64), np.array(s["z"], dtype=np.float64)
    what = (f"<A x, z> vs <x, t> with A = conv_matrix(torch.tensor({s['w']}, dtype=torch.float64), {length}, "
            f"stride={stride}), t = {transpose_call(s)}, x = {s['x']}")
    if A is None or A.shape != (n, length):
        raise Mismatch(f"{what}\n  A must have shape {(n, length)}; got {None if A is None else A.shape}")
    if t is None or t.shape != (length,):
        # A hint only when t is a known mistake (verified on this input and on probe inputs).
        w32, z32 = torch.tensor(s["w"], dtype=torch.float32), torch.tensor(s["z"], dtype=torch.float32)
        hint = numeric_hint(t, torch_conv_transpose(z32, w32, stride), conv_transpose_variants(w32, z32, stride)) \
            if t is not None else None
        if hint is not None and not transpose_confirm(sub, s)(hint):
            hint = None
        raise Mismatch(f"{what}\n  t must have shape {(length,)} (as many values as x); got "
                       f"{None if t is None else t.shape}" + hint_text(hint, HINTS))
    lhs, rhs = float((A @ x) @ z), float(x @ t)
    # Integer inputs below 10 in magnitude: every product and sum is exact in float32 and float64.
    if exceeds(abs(lhs - rhs), 1e-6 * (1 + abs(rhs))):
        raise Mismatch(f"{what}\n  <A x, z> = {lhs!r} but <x, t> = {rhs!r}: A^T is not the transposed "
                       "convolution (the tests of conv_matrix and conv_transpose_output say which function is off)")
