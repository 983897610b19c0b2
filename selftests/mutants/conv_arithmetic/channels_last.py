"""Writes shapes channels-last, (L, C) and (H, W, C), as some textbooks do."""
HINT = "channels_last"

_channels_first_1d = conv1d_output_shape
_channels_first_2d = conv2d_output_shape


def conv1d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
    c, length = _channels_first_1d(input_shape, out_channels, kernel_size, stride, padding, dilation)
    return (length, c)


def conv2d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
    c, h, w = _channels_first_2d(input_shape, out_channels, kernel_size, stride, padding, dilation)
    return (h, w, c)
