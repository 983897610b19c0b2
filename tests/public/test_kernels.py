"""Public grading tests for exercises/kernels.py.

There are many right kernels, so each kernel is graded by properties (kernels_support.check_*) on
images hypothesis draws: constant images, white noise, and step edges of every direction at many
positions, contrasts and softnesses. apply_kernel is checked against F.conv2d.

Promises of the docstrings and the tests that exercise them:

==========================================================  ===================================================
promise                                                     test(s)
==========================================================  ===================================================
kernel as nested list / tuple / numpy / tensor, (3, 3)      every kernel test (as_kernel); selftests fairness
blur: constant image stays that constant (+ and - values)   test_blur_keeps_a_constant_image_constant
blur: noise variance <= 0.75x (gaussian, uniform, +-1)      test_blur_lowers_the_variance_of_noise;
                                                            hidden: test_blur_lowers_the_variance_of_larger_noise_images
edge kernels: 0 on constant images                          test_*_edge_kernel_is_zero_on_a_constant_image
horizontal: >= 3x vertical, >= 1.2x diagonals, responds     test_horizontal_edge_kernel_prefers_*
diagonal: >= 3x other diagonal, >= 1.2x axes, responds      test_diagonal_edge_kernel_prefers_*
either edge sign counts (contrast drawn + and -)            edge_settings (all edge tests)
apply_kernel: cross-correlation, valid mode, no flip        test_apply_kernel_matches_f_conv2d (non-square
                                                            images and kernels, kh = H, kw = W);
                                                            hidden: test_apply_kernel_on_larger_images_and_kernels
apply_kernel: array-likes (nested lists), uint8/int/float32 test_apply_kernel_accepts_lists_and_integer_images
images, float64 result
apply_kernel: returns a numpy array                         test_apply_kernel_matches_f_conv2d (type check)
rule: numpy only, no library convolution                    test_apply_kernel_uses_no_library_convolution
==========================================================  ===================================================

Hints on apply_kernel are claimed only when the named mistake, applied to the reference, reproduces
the output on the failing input and on two probe inputs (kernels_support.diagnose_apply).
"""
from __future__ import annotations

import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings

from autograder.checks import Mismatch
from autograder.rules import check_source, run_without

from .kernels_support import (EXERCISE, HINTS, check_blur_constant, check_blur_noise, check_diagonal_oblique,
                              check_diagonal_perpendicular, check_edge_flat, check_horizontal_oblique,
                              check_horizontal_perpendicular, constant_settings, edge_settings, expect_apply,
                              image_and_kernel, noise_settings, torch_correlate)

pytestmark = pytest.mark.exercise(EXERCISE)

# The kernel under test is fixed; 30 drawn images per property (plus the examples) are plenty: a kernel that
# fails a property fails it on most images of the family, not on rare ones.
PROPERTY = settings(max_examples=30)
SHARP_CENTRE = dict(rows=12, cols=12, offset=0.0, low=0.0, contrast=1.0, width=0.0)
SOFT_CENTRE = dict(rows=12, cols=12, offset=0.0, low=0.0, contrast=1.0, width=4.0)


# ---------------------------------------------------------------- blur
@weight(1)
@PROPERTY
@given(s=constant_settings())
@example(s=dict(rows=5, cols=5, value=1.0))
def test_blur_keeps_a_constant_image_constant(submission, s):
    """blur_kernel() keeps a constant image the same constant."""
    check_blur_constant(submission(EXERCISE).blur_kernel(), "blur_kernel()", s["rows"], s["cols"], s["value"])


@weight(1)
@PROPERTY
@given(s=noise_settings())
@example(s=dict(rows=16, cols=16, seed=0, kind="gaussian", scale=1.0, mean=0.0))
def test_blur_lowers_the_variance_of_noise(submission, s):
    """blur_kernel() lowers the variance of white noise clearly."""
    check_blur_noise(submission(EXERCISE).blur_kernel(), "blur_kernel()", **s)


# ---------------------------------------------------------------- horizontal edges
@weight(1)
@PROPERTY
@given(s=constant_settings())
@example(s=dict(rows=5, cols=5, value=1.0))
def test_horizontal_edge_kernel_is_zero_on_a_constant_image(submission, s):
    """horizontal_edge_kernel() gives 0 on a constant image."""
    check_edge_flat(submission(EXERCISE).horizontal_edge_kernel(), "horizontal_edge_kernel()",
                    s["rows"], s["cols"], s["value"])


@weight(1)
@PROPERTY
@given(s=edge_settings())
@example(s=SHARP_CENTRE)
@example(s=SOFT_CENTRE)
def test_horizontal_edge_kernel_prefers_horizontal_to_vertical_edges(submission, s):
    """horizontal_edge_kernel() answers horizontal edges >= 3x more than vertical ones."""
    check_horizontal_perpendicular(submission(EXERCISE).horizontal_edge_kernel(), "horizontal_edge_kernel()", s)


@weight(1)
@PROPERTY
@given(s=edge_settings(sharp=False))
@example(s=SOFT_CENTRE)
def test_horizontal_edge_kernel_prefers_horizontal_to_diagonal_edges(submission, s):
    """horizontal_edge_kernel() answers horizontal edges >= 1.2x more than diagonal ones (softened edges)."""
    check_horizontal_oblique(submission(EXERCISE).horizontal_edge_kernel(), "horizontal_edge_kernel()", s)


# ---------------------------------------------------------------- diagonal edges
@weight(1)
@PROPERTY
@given(s=constant_settings())
@example(s=dict(rows=5, cols=5, value=1.0))
def test_diagonal_edge_kernel_is_zero_on_a_constant_image(submission, s):
    """diagonal_edge_kernel() gives 0 on a constant image."""
    check_edge_flat(submission(EXERCISE).diagonal_edge_kernel(), "diagonal_edge_kernel()",
                    s["rows"], s["cols"], s["value"])


@weight(1)
@PROPERTY
@given(s=edge_settings())
@example(s=SHARP_CENTRE)
@example(s=SOFT_CENTRE)
def test_diagonal_edge_kernel_prefers_one_diagonal(submission, s):
    """diagonal_edge_kernel() answers one diagonal >= 3x more than the other."""
    check_diagonal_perpendicular(submission(EXERCISE).diagonal_edge_kernel(), "diagonal_edge_kernel()", s)


@weight(1)
@PROPERTY
@given(s=edge_settings(sharp=False))
@example(s=SOFT_CENTRE)
def test_diagonal_edge_kernel_prefers_its_diagonal_to_horizontal_and_vertical(submission, s):
    """diagonal_edge_kernel() answers its diagonal >= 1.2x more than horizontal or vertical edges."""
    check_diagonal_oblique(submission(EXERCISE).diagonal_edge_kernel(), "diagonal_edge_kernel()", s)


# ---------------------------------------------------------------- apply_kernel
SOBEL_CASE = (np.arange(30, dtype=np.float64).reshape(5, 6) ** 2 % 7,
              np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]) + np.eye(3))


@weight(1)
@settings(max_examples=40)
@given(case=image_and_kernel())
@example(case=SOBEL_CASE)
def test_apply_kernel_matches_f_conv2d(submission, case):
    """apply_kernel is F.conv2d's cross-correlation, valid mode."""
    image, kernel = case
    sub = submission(EXERCISE)
    got = sub.apply_kernel(image, kernel)
    expect_apply(got, image, kernel, torch_correlate(image, kernel), student=sub.apply_kernel)


# Array-likes the docstring allows beside float64 arrays: nested lists, uint8 and int images (as real pictures
# are), float32 images. (name, image, kernel); every result is exact in float64.
_PIXELS = (np.arange(42).reshape(6, 7) * 37 % 256).astype(np.uint8)
ARRAY_LIKE_CASES = [
    ("a uint8 image, a float kernel", _PIXELS, np.full((3, 2), 1 / 8)),
    ("nested lists of ints", (np.arange(30).reshape(5, 6) ** 2 % 7).tolist(), [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    ("a uint8 image, an int kernel with negative weights", _PIXELS, np.array([[1, 0, -1], [2, 0, -2]])),
    ("an int64 image, a nested-list kernel", _PIXELS.astype(np.int64) - 100, [[0.5, -0.25], [0.0, 1.0]]),
    ("a float32 image", (_PIXELS / 8).astype(np.float32), np.array([[0.5, 1.0, 2.0]], dtype=np.float32)),
]


@weight(1)
def test_apply_kernel_accepts_lists_and_integer_images(submission):
    """apply_kernel takes any array-like (lists, uint8/int/float32 images) and returns float64."""
    sub = submission(EXERCISE)
    for name, image, kernel in ARRAY_LIKE_CASES:
        as_image, as_kernel = np.asarray(image, np.float64), np.asarray(kernel, np.float64)
        expected = torch_correlate(as_image, as_kernel)
        what = f"apply_kernel(image, kernel) with {name}: image {_describe(image)}, kernel {_describe(kernel)}"
        try:
            got = sub.apply_kernel(image, kernel)
        except Exception as exc:  # noqa: BLE001 - the student's error, reported with its text
            hint = None
            if isinstance(image, list) or isinstance(kernel, list):
                try:   # verified: the same call with numpy arrays works
                    again = sub.apply_kernel(as_image, as_kernel)
                    if isinstance(again, np.ndarray) and again.shape == tuple(expected.shape) and \
                            np.allclose(again, expected.numpy(), rtol=1e-7, atol=1e-7):
                        hint = "array_like"
                except Exception:  # noqa: BLE001 - then no cause is claimed
                    pass
            said = str(exc) if type(exc).__name__ == "StudentCodeError" else f"Your code raised " \
                f"{type(exc).__name__}: {exc}"
            raise Mismatch(f"{what}\n  {said[:1500]}"
                           + (f"\nHint: {HINTS[hint]}" if hint else "")) from None
        if isinstance(got, np.ndarray) and got.dtype.kind in "iu" and got.shape == tuple(expected.shape):
            truncated = expected.numpy().astype(got.dtype)   # verified: the float64 sums cast to that dtype
            hint = ("output_dtype" if got.dtype == np.asarray(image).dtype and np.array_equal(got, truncated)
                    and not np.array_equal(truncated, expected.numpy()) else None)
            raise Mismatch(f"{what}\n  the output has dtype {got.dtype}; expected float64 values"
                           + (f"\nHint: {HINTS[hint]}" if hint else ""))
        expect_apply(got, as_image, as_kernel, expected)
        if got.dtype != np.float64:
            raise Mismatch(f"{what}\n  the values are right but the output has dtype {got.dtype}; return a "
                           f"float64 array (as the docstring says)")


def _describe(value) -> str:
    arr = np.asarray(value)
    kind = "nested list" if isinstance(value, list) else f"{arr.dtype} array"
    return f"({kind} of shape {arr.shape}) = {arr.tolist()}"


FORBIDDEN_CALLS = ["torch.nn.functional.conv2d", "torch.conv2d", "torch.nn.functional.unfold"]
FORBIDDEN_NAMES = ["conv2d", "conv_transpose2d", "unfold", "Unfold", "correlate2d", "convolve2d", "fftconvolve",
                   "oaconvolve", "filter2D"]


@weight(1)
def test_apply_kernel_uses_no_library_convolution(submission):
    """Rule: a working apply_kernel written with numpy, no library convolution."""
    image, kernel = SOBEL_CASE
    sub = submission(EXERCISE)
    sub.apply_kernel(image, kernel)  # a plain call first: an unfinished stub is reported by its own name
    rule = "apply_kernel uses numpy only (no F.conv2d, unfold, scipy, ...)"
    try:
        got = run_without(sub, FORBIDDEN_CALLS, rule, sub, "apply_kernel", image, kernel)
        check_source(sub, FORBIDDEN_NAMES, rule)
    except Mismatch as exc:
        raise Mismatch(f"{exc}\nHint: {HINTS['library_conv']}") from None
    expect_apply(got, image, kernel, torch_correlate(image, kernel), student=sub.apply_kernel)
