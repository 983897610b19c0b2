"""Counts the slides of the window but not its first position."""
HINT = "plus_one_missing"


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    room = length + 2 * padding - span
    if room < 0:
        raise ValueError("window does not fit")
    return max(room // stride, 1)
