"""Asks PyTorch itself: builds the modules on the meta device and reads shapes and numel."""
import torch
from torch import nn


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    try:
        out = nn.Conv1d(1, 1, kernel_size, stride, padding, dilation, device="meta")(
            torch.empty(1, 1, length, device="meta"))
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None
    return out.shape[-1]


def conv2d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
    layer = nn.Conv2d(input_shape[0], out_channels, kernel_size, stride, padding, dilation, device="meta")
    return tuple(layer(torch.empty(1, *input_shape, device="meta")).shape[1:])


def conv_param_count(in_channels, out_channels, kernel_size, groups=1, bias=True):
    dims = 1 if isinstance(kernel_size, int) else len(kernel_size)
    cls = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[dims]
    layer = cls(in_channels, out_channels, kernel_size, groups=groups, bias=bias, device="meta")
    return sum(p.numel() for p in layer.parameters())
