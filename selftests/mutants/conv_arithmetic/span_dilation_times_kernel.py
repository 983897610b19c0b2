"""Takes a dilated window to span dilation * kernel_size inputs (one gap per tap), one more than
it does: with dilation 1 and stride 1 this is the same count as a missing +1."""
HINT = "span_d_times_k"


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * kernel_size
    room = length + 2 * padding - span
    if room < 0:
        raise ValueError("window does not fit")
    return room // stride + 1
