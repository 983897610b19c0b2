"""Writes F.pad's tuple in (H, W) order, (p_h, p_h, p_w, p_w), as if it started with the first
axis; F.pad starts with the last one, so H gets the W padding and W the H padding."""
HINT = "padding_swapped"

import torch
import torch.nn.functional as F


class Conv2d(Conv2d):  # noqa: F821
    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n = x.shape[0]
        xp = F.pad(x, (ph, ph, pw, pw))
        out_h = (xp.shape[2] - kh) // sh + 1
        out_w = (xp.shape[3] - kw) // sw + 1
        w = self.weight.reshape(self.out_channels, -1)
        out = torch.zeros(n, self.out_channels, out_h, out_w)
        for i in range(out_h):
            for j in range(out_w):
                patch = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                out[:, :, i, j] = patch.reshape(n, -1) @ w.T
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1, 1)
        return out
