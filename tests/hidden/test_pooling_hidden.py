"""Hidden tests for pooling: larger inputs and settings, the reference solution as the oracle.

Feedback names the input and the value returned, never the reference's value.
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, hint_text

from ..public.pooling_support import (EXERCISE, HINTS, check_pool, describe, diagnose, diagnose_pool,
                                      kernel_misconceptions, make_input, pool_call, pool_cases)

pytestmark = pytest.mark.exercise(EXERCISE)

WIDE = dict(max_kernel=7, max_stride=4, max_extra=20, max_batch=4, max_channels=4)


def _check_wide(submission, reference, mode, case):
    x = make_input(case)
    args = dict(kernel_size=case["kernel_size"], stride=case["stride"], padding=case["padding"])
    expected = getattr(reference(EXERCISE), f"{mode}_pool")(x, **args)
    pool = getattr(submission(EXERCISE), f"{mode}_pool")
    got = pool(x, **args)
    try:
        check_pool(got, expected, pool_call(f"{mode}_pool", case, x), None, reveal=False)
    except Mismatch as exc:   # a cause is named only when it reproduces this output and two more
        hint = diagnose_pool(mode, got, x, args, student=lambda inp: pool(inp, **args))
        raise Mismatch(str(exc) + hint_text(hint, HINTS)) from None


@weight(1)
@visibility("after_due_date")
@settings(max_examples=15)
@given(case=pool_cases(**WIDE))
def test_max_pool_on_larger_inputs(submission, reference, case):
    """max_pool on larger batches, windows, strides and paddings"""
    _check_wide(submission, reference, "max", case)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=15)
@given(case=pool_cases(**WIDE))
def test_avg_pool_on_larger_inputs(submission, reference, case):
    """avg_pool on larger batches, windows, strides and paddings"""
    _check_wide(submission, reference, "avg", case)


@weight(1)
@visibility("after_due_date")
@given(size=st.integers(1, 15), sigma=st.floats(0.1, 6.0))
def test_gauss_kernel_on_wider_settings(submission, reference, size, sigma):
    """gauss_kernel_2d for sizes up to 15 and sigmas from 0.1 to 6"""
    expected = reference(EXERCISE).gauss_kernel_2d(size, sigma)
    got = submission(EXERCISE).gauss_kernel_2d(size, sigma)
    check_pool(got, expected, f"gauss_kernel_2d({size}, {sigma!r})",
               diagnose(got, expected, kernel_misconceptions(size, sigma)), reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=12)
@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(8, 24), st.integers(8, 24)),
       seed=st.integers(0, 2**16), n=st.integers(0, 6), size=st.sampled_from([3, 5, 7, 9]),
       sigma=st.floats(0.5, 3.0))
def test_iterated_pooling_and_blur_on_larger_images(submission, reference, shape, seed, n, size, sigma):
    """maxpool_iter and gaussian_blur_iter on larger images and more iterations"""
    ref, sub = reference(EXERCISE), submission(EXERCISE)
    x = torch.rand(shape, generator=torch.Generator().manual_seed(seed))
    check_pool(sub.maxpool_iter(x, n), ref.maxpool_iter(x, n), f"maxpool_iter(x, {n})\n  with {describe(x)}",
               None, reveal=False)
    kernel = ref.gauss_kernel_2d(size, sigma)
    check_pool(sub.gaussian_blur_iter(x, kernel, n), ref.gaussian_blur_iter(x, kernel, n),
               f"gaussian_blur_iter(x, gauss_kernel_2d({size}, {sigma!r}), {n})\n  with {describe(x)}", None,
               reveal=False)
