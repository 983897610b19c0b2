"""Takes a missing pooling stride to mean 1 instead of the kernel size."""
HINT = "pool_default_stride"


def maxpool2d_output_shape(input_shape, kernel_size, stride=None, padding=0):
    channels, height, width = input_shape
    k = _per_axis(kernel_size, 2, "kernel_size")
    s = (1, 1) if stride is None else _per_axis(stride, 2, "stride")
    p = _per_axis(padding, 2, "padding")
    return (channels, conv_output_length(height, k[0], s[0], p[0]), conv_output_length(width, k[1], s[1], p[1]))
