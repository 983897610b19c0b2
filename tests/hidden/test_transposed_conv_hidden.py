"""Hidden tests for transposed_conv: wider settings, the reference solution as the oracle.

Feedback names the input and the value returned, never the reference's value.
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings

from ..public.transposed_conv_support import (EXERCISE, conv_matrix_variants, conv_settings,
                                              conv_transpose_variants, expect_matrix, matrix_call, matrix_confirm,
                                              transpose_call, transpose_confirm, transpose_settings)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=30)
@given(s=conv_settings(max_kernel=9, max_stride=6, max_padding=6, max_extra=40))
def test_conv_matrix_on_wide_settings(submission, reference, s):
    """conv_matrix with long inputs, large kernels, strides and paddings."""
    w = torch.tensor(s["w"], dtype=torch.float64)
    expected = torch.as_tensor(reference(EXERCISE).conv_matrix(w, s["length"], s["stride"], s["padding"]))
    sub = submission(EXERCISE)
    got = sub.conv_matrix(w, s["length"], stride=s["stride"], padding=s["padding"])
    expect_matrix(got, expected, matrix_call(s),
                  lambda: conv_matrix_variants(w, s["length"], s["stride"], s["padding"]), reveal=False,
                  confirm=matrix_confirm(sub, s))


@weight(1)
@visibility("after_due_date")
@settings(max_examples=30)
@given(s=transpose_settings(max_kernel=9, max_stride=6, max_inputs=20))
def test_conv_transpose_output_on_longer_inputs(submission, reference, s):
    """conv_transpose_output with long inputs, large kernels and strides."""
    w, z = torch.tensor(s["w"], dtype=torch.float32), torch.tensor(s["z"], dtype=torch.float32)
    expected = reference(EXERCISE).conv_transpose_output(w, z, s["stride"])
    sub = submission(EXERCISE)
    got = sub.conv_transpose_output(w, z, stride=s["stride"])
    expect_matrix(got, expected, transpose_call(s), lambda: conv_transpose_variants(w, z, s["stride"]), reveal=False,
                  confirm=transpose_confirm(sub, s))
