"""Unpacks the (H, W) pairs in the wrong order: the height is measured with the width's kernel,
stride, padding and dilation, and the width with the height's."""
HINT = "hw_swapped"


def conv2d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
    _, height, width = input_shape
    k, s, p, d = (_per_axis(v, 2, n) for v, n in  # noqa: F821
                  ((kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding"), (dilation, "dilation")))
    return (out_channels,
            conv_output_length(height, k[1], s[1], p[1], d[1]),  # noqa: F821
            conv_output_length(width, k[0], s[0], p[0], d[0]))  # noqa: F821
