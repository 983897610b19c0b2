"""Counts and sizes computed with numpy and returned as numpy integers (np.int64), which the task allows."""
import numpy as np


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    room = np.int64(length) + 2 * padding - (dilation * (kernel_size - 1) + 1)
    if room < 0:
        raise ValueError("no window fits in the padded input")
    return room // stride + 1


def conv_param_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    taps = np.prod(np.atleast_1d(kernel_size))
    return np.int64(out_channels) * (in_channels // groups) * taps + (out_channels if bias else 0)


def fc_param_count(input_shape, n_outputs, bias=True):
    return np.prod(input_shape, dtype=np.int64) * n_outputs + (n_outputs if bias else 0)
