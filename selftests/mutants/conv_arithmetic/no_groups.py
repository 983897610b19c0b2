"""Ignores groups: every filter sees all input channels."""
HINT = "groups_ignored"


def conv_param_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    taps = kernel_size if isinstance(kernel_size, int) else math.prod(kernel_size)
    return out_channels * in_channels * taps + (out_channels if bias else 0)
