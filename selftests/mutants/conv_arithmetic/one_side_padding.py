"""Adds the padding at one end of the axis only."""
HINT = "padding_one_side"


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    room = length + padding - span
    if room < 0:
        raise ValueError("window does not fit")
    return room // stride + 1
