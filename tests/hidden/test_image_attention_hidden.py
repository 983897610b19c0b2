"""Hidden tests for image_attention: larger images and more channels, the reference as the oracle.

Feedback names the input and the value returned, never the reference's value.
"""
from __future__ import annotations

import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings

from ..public.image_attention_support import EXERCISE, attention_inputs, call, expect_attention, expect_normalized, images

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=10)
@given(inputs=attention_inputs(max_side=9, max_channels=4))
def test_attention_loops_on_larger_images(submission, reference, inputs):
    """attention_loops on images up to 9x9 with up to 4 channels in and out."""
    x, k, v = inputs
    expected = np.asarray(reference(EXERCISE).attention_loops(x, k, v))
    sub = submission(EXERCISE)
    got = sub.attention_loops(x, k, v)
    expect_attention(got, inputs, call("attention_loops", x, k, v), rerun=sub.attention_loops, expected=expected,
                     reveal=False)


@weight(2)
@visibility("after_due_date")
@settings(max_examples=15)
@given(inputs=attention_inputs(max_side=16, max_channels=6))
def test_attention_vectorized_on_larger_images(submission, reference, inputs):
    """attention_vectorized on images up to 16x16 with up to 6 channels in and out."""
    x, k, v = inputs
    expected = np.asarray(reference(EXERCISE).attention_vectorized(x, k, v))
    sub = submission(EXERCISE)
    got = sub.attention_vectorized(x, k, v)
    expect_attention(got, inputs, call("attention_vectorized", x, k, v), rerun=sub.attention_vectorized,
                     expected=expected, reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=15)
@given(image=images(max_side=12, max_channels=5))
def test_normalize_channels_on_larger_images(submission, reference, image):
    """normalize_channels on images up to 12x12 with up to 5 channels."""
    expected = np.asarray(reference(EXERCISE).normalize_channels(image))
    sub = submission(EXERCISE)
    got = sub.normalize_channels(image)
    expect_normalized(got, image, f"normalize_channels(image of shape {image.shape})", rerun=sub.normalize_channels,
                      expected=expected, reveal=False)
