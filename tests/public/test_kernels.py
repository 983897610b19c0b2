"""Public grading tests for exercises/kernels.py.

There are many right kernels, so each kernel is graded by properties (kernels_support.check_*) on
images hypothesis draws: constant images, white noise, and step edges of every direction at many
positions, contrasts and softnesses. apply_kernel is checked against F.conv2d.
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


@weight(2)
@settings(max_examples=40)
@given(case=image_and_kernel())
@example(case=SOBEL_CASE)
def test_apply_kernel_matches_f_conv2d(submission, case):
    """apply_kernel is F.conv2d's cross-correlation, valid mode."""
    image, kernel = case
    got = submission(EXERCISE).apply_kernel(image, kernel)
    expect_apply(got, image, kernel, torch_correlate(image, kernel))


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
    expect_apply(got, image, kernel, torch_correlate(image, kernel))
