"""Counts window positions one by one, returns lists and numpy integers instead of tuples and ints."""
import numpy as np


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    last_start = length + 2 * padding - (dilation * (kernel_size - 1) + 1)
    if last_start < 0:
        raise ValueError("the kernel does not fit")
    count, start = 0, 0
    while start <= last_start:
        count += 1
        start += stride
    return np.int64(count)


def conv1d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
    return [out_channels, conv_output_length(input_shape[1], kernel_size, stride, padding, dilation)]


def fc_param_count(input_shape, n_outputs, bias=True):
    inputs = int(np.prod(input_shape))
    return np.int64((inputs + int(bias)) * n_outputs)
