"""Hidden tests for conv2d: (H, W) pairs everywhere, wider settings, the reference layers as the oracle.

Feedback names the setting and the values returned, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import example, given, settings

from ..public.conv2d_support import EXERCISE, check_layer, conv_settings, reference_forward_backward, setting

pytestmark = pytest.mark.exercise(EXERCISE)


def oracle(reference, cls):
    return lambda data, s, grads: reference_forward_backward(reference(EXERCISE), cls, data, s, grads)


@weight(2)
@visibility("after_due_date")
@settings(max_examples=8)
@given(s=conv_settings(max_batch=2, max_in=3, max_out=3, max_size=7, max_kernel=4, max_stride=3, max_padding=2,
                       pairs=True))
def test_conv2d_with_rectangular_kernels_strides_and_padding(submission, reference, s):
    """Conv2d with different kernel, stride and padding along H and W (forward and gradients)"""
    check_layer(submission(EXERCISE), "Conv2d", s, grads=True, oracle=oracle(reference, "Conv2d"), reveal=False)


@weight(2)
@visibility("after_due_date")
@settings(max_examples=10)
@given(s=conv_settings(max_batch=4, max_in=6, max_out=8, max_size=20, max_kernel=5, max_stride=3, max_padding=3,
                       pairs=True))
def test_faster_conv2d_on_wider_settings(submission, reference, s):
    """FasterConv2d on larger inputs, kernels and paddings (forward and gradients)"""
    check_layer(submission(EXERCISE), "FasterConv2d", s, grads=True, oracle=oracle(reference, "FasterConv2d"),
                reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=1)
@given(s=conv_settings())
@example(s=setting(batch=16, in_channels=1, out_channels=8, kernel_size=3, height=28, width=28, seed=7))
@example(s=setting(batch=4, in_channels=3, out_channels=4, kernel_size=(5, 3), stride=(2, 3), padding=(2, 0),
                   bias=False, height=28, width=28, seed=8))
def test_faster_conv2d_on_mnist_sized_batches(submission, reference, s):
    """FasterConv2d on batches of 28x28 images (forward and gradients)"""
    check_layer(submission(EXERCISE), "FasterConv2d", s, grads=True, oracle=oracle(reference, "FasterConv2d"),
                reveal=False)
