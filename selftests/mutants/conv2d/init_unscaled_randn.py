"""Initialises the weight and bias with torch.randn, not scaled by 1/sqrt(fan_in) as in nn.Conv2d."""
HINT = "init_like_nn_conv2d"

import torch
from torch import nn


class Conv2d(Conv2d):  # noqa: F821
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, *self.kernel_size))
        if bias:
            self.bias = nn.Parameter(torch.randn(out_channels))


class FasterConv2d(Conv2d):
    forward = FasterConv2d.forward  # noqa: F821
