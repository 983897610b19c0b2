"""Counts a filter as kernel_size weights, as if it saw one input channel."""
HINT = "in_channels_forgotten"


def conv_param_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    taps = kernel_size if isinstance(kernel_size, int) else math.prod(kernel_size)
    return out_channels * taps + (out_channels if bias else 0)
