"""Hidden tests for kernels: larger images and inputs; the reference apply_kernel as the oracle.

Feedback names the input and the value returned, never the reference's value.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings

from ..public.kernels_support import EXERCISE, check_blur_noise, expect_apply, image_and_kernel, noise_settings

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=30)
@given(case=image_and_kernel(max_side=40, max_kernel=9))
def test_apply_kernel_on_larger_images_and_kernels(submission, reference, case):
    """apply_kernel on images up to 40x40 and kernels up to 9x9."""
    image, kernel = case
    expected = reference(EXERCISE).apply_kernel(image, kernel)
    sub = submission(EXERCISE)
    got = sub.apply_kernel(image, kernel)
    expect_apply(got, image, kernel, expected, reveal=False, student=sub.apply_kernel)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=30)
@given(s=noise_settings(min_size=24, max_size=64))
def test_blur_lowers_the_variance_of_larger_noise_images(submission, s):
    """blur_kernel() on larger noise images of every kind."""
    check_blur_noise(submission(EXERCISE).blur_kernel(), "blur_kernel()", **s)
