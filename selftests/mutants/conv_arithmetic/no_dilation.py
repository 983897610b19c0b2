"""Ignores dilation: the window spans kernel_size inputs whatever the dilation."""
HINT = "dilation_ignored"


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    room = length + 2 * padding - kernel_size
    if room < 0:
        raise ValueError("window does not fit")
    return room // stride + 1
