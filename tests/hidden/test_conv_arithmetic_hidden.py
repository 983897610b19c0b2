"""Hidden tests for conv_arithmetic: wider settings, the reference solution as the oracle.

Feedback names the input and the value returned, never the reference's value.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given
from hypothesis import strategies as st

from autograder.checks import as_int_tuple, call_repr

from ..public.conv_arithmetic_support import (EXERCISE, axis_settings, diagnose_lengths, diagnose_params,
                                              diagnose_shape, expect_count, expect_shape)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@given(h=axis_settings(max_kernel=11, max_stride=6, max_padding=5, max_dilation=4),
       w=axis_settings(max_kernel=11, max_stride=6, max_padding=5, max_dilation=4),
       channels=st.integers(1, 512), filters=st.integers(1, 512))
def test_conv2d_output_shape_on_wide_settings(submission, reference, h, w, channels, filters):
    """conv2d_output_shape on large, asymmetric settings."""
    args = dict(input_shape=(channels, h["length"], w["length"]), out_channels=filters,
                kernel_size=(h["kernel_size"], w["kernel_size"]), stride=(h["stride"], w["stride"]),
                padding=(h["padding"], w["padding"]), dilation=(h["dilation"], w["dilation"]))
    expected = reference(EXERCISE).conv2d_output_shape(**args)
    got = submission(EXERCISE).conv2d_output_shape(**args)
    hint = None
    if as_int_tuple(got) != tuple(expected):
        hint = diagnose_lengths(got, expected, [h, w]) or diagnose_shape(submission(EXERCISE).conv2d_output_shape,
                                                                         args, expected)
    expect_shape(got, expected, call_repr("conv2d_output_shape", **args), "", hint, reveal=False)


@weight(1)
@visibility("after_due_date")
@given(groups=st.sampled_from([1, 2, 3, 8, 32]), per_in=st.integers(1, 16), per_out=st.integers(1, 16),
       kernel=st.tuples(st.integers(1, 7), st.integers(1, 7), st.integers(1, 7)), bias=st.booleans())
def test_param_count_of_grouped_3d_convolutions(submission, reference, groups, per_in, per_out, kernel, bias):
    """conv_param_count for grouped 3D kernels."""
    args = dict(in_channels=groups * per_in, out_channels=groups * per_out, kernel_size=kernel, groups=groups, bias=bias)
    expected = reference(EXERCISE).conv_param_count(**args)
    got = submission(EXERCISE).conv_param_count(**args)
    hint = diagnose_params(submission(EXERCISE).conv_param_count, args) if got != expected else None
    expect_count(got, expected, call_repr("conv_param_count", **args), "", hint, reveal=False)


@weight(1)
@visibility("after_due_date")
@given(n=st.integers(1, 4), channels=st.integers(1, 64), filters=st.integers(1, 64), kernel=st.integers(1, 3),
       padding=st.integers(0, 1), side=st.integers(64, 256))
def test_stack_on_deeper_networks(submission, reference, n, channels, filters, kernel, padding, side):
    """conv_pool_relu_stack with up to four modules."""
    args = dict(input_shape=(channels, side, side), n_modules=n, out_channels=filters, kernel_size=kernel,
                stride=1, padding=padding)
    expected = reference(EXERCISE).conv_pool_relu_stack(**args)
    got = submission(EXERCISE).conv_pool_relu_stack(**args)
    what = call_repr("conv_pool_relu_stack", **args)
    if not (isinstance(got, (list, tuple)) and len(got) == 2):
        expect_shape(got, expected, what, "", reveal=False)
    expect_shape(got[0], expected[0], what + " -> shape", "", reveal=False)
    expect_count(got[1], expected[1], what + " -> parameter count", "", reveal=False)
