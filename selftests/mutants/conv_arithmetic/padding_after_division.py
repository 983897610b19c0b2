"""Counts the windows in the unpadded input and then adds the padding to the count."""
HINT = "padding_after_division"


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    room = length - span
    if room + 2 * padding < 0:
        raise ValueError("window does not fit")
    return room // stride + 1 + 2 * padding
