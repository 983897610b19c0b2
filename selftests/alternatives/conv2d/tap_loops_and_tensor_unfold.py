"""Separate modules (no inheritance). The loop version loops over the kernel's taps and adds one
strided slice of the input per tap; the fast version uses Tensor.unfold twice and one matmul."""
import math

import torch
import torch.nn.functional as F
from torch import nn


def _two(v):
    return (v, v) if isinstance(v, int) else (v[0], v[1])


class Conv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        self.out_channels = out_channels
        self.kernel_size, self.stride, self.padding = _two(kernel_size), _two(stride), _two(padding)
        k = 1 / math.sqrt(in_channels * self.kernel_size[0] * self.kernel_size[1])
        self.weight = nn.Parameter(k * (2 * torch.rand(out_channels, in_channels, *self.kernel_size) - 1))
        if bias:
            self.bias = nn.Parameter(k * (2 * torch.rand(out_channels) - 1))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        xp = F.pad(x, (pw, pw, ph, ph))
        out_h = (xp.shape[2] - kh) // sh + 1
        out_w = (xp.shape[3] - kw) // sw + 1
        out = 0
        for a in range(kh):
            for b in range(kw):
                tap = xp[:, :, a:a + sh * out_h:sh, b:b + sw * out_w:sw][:, :, :out_h, :out_w]  # (N, C_in, Ho, Wo)
                out = out + torch.einsum("ncij,oc->noij", tap, self.weight[:, :, a, b])
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1, 1)
        return out


class FasterConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        self.out_channels = out_channels
        self.kernel_size, self.stride, self.padding = _two(kernel_size), _two(stride), _two(padding)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, *self.kernel_size) * 0.1)
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        xp = F.pad(x, (pw, pw, ph, ph))
        patches = xp.unfold(2, kh, sh).unfold(3, kw, sw)           # (N, C_in, Ho, Wo, kh, kw)
        n, c, out_h, out_w = patches.shape[:4]
        rows = patches.permute(0, 2, 3, 1, 4, 5).reshape(n * out_h * out_w, c * kh * kw)
        out = rows @ self.weight.reshape(self.out_channels, -1).T     # (N*Ho*Wo, C_out)
        if self.bias is not None:
            out = out + self.bias
        return out.reshape(n, out_h, out_w, self.out_channels).permute(0, 3, 1, 2)
