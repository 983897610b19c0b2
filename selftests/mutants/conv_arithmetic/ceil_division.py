"""Rounds the number of window positions up instead of down."""
HINT = "floor_vs_ceil"


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    room = length + 2 * padding - span
    if room < 0:
        raise ValueError("window does not fit")
    return -(-room // stride) + 1
