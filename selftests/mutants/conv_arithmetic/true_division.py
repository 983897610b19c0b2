"""Uses true division, so sizes come back as floats."""
HINT = "true_division"


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    if length + 2 * padding < span:
        raise ValueError("window does not fit")
    return (length + 2 * padding - span) / stride + 1
