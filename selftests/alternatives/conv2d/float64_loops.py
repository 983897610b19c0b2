"""Loop version that accumulates in float64 over every (output position, input channel, tap) with
scalar-free tensor slices, then casts back to the input's dtype; the fast version is untouched."""
import math

import torch
import torch.nn.functional as F
from torch import nn


class Conv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        as_pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = as_pair(kernel_size), as_pair(stride), as_pair(padding)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, *self.kernel_size))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        xp = F.pad(x.double(), (pw, pw, ph, ph))
        w = self.weight.double()
        n = x.shape[0]
        out_h = (xp.shape[2] - kh) // sh + 1
        out_w = (xp.shape[3] - kw) // sw + 1
        values = []
        for i in range(out_h):
            for j in range(out_w):
                window = xp[:, None, :, i * sh:i * sh + kh, j * sw:j * sw + kw]   # (N, 1, C_in, kh, kw)
                values.append((window * w[None]).sum(dim=(2, 3, 4)))            # (N, C_out)
        out = torch.stack(values, dim=-1).reshape(n, self.out_channels, out_h, out_w)
        if self.bias is not None:
            out = out + self.bias.double()[:, None, None]
        return out.to(x.dtype)


class FasterConv2d(Conv2d):
    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, _, height, width = x.shape
        cols = F.unfold(x, (kh, kw), padding=(ph, pw), stride=(sh, sw))
        out = self.weight.flatten(1) @ cols
        if self.bias is not None:
            out = out + self.bias[:, None]
        return out.reshape(n, self.out_channels, (height + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1)
