"""Computes a true convolution, as in the textbook definition: the kernel is indexed backwards
(flipped in both directions) in the loop version and flipped before the matrix product in the fast one."""
HINT = "kernel_flipped"

import torch
import torch.nn.functional as F


class Conv2d(Conv2d):  # noqa: F821 (the solution's Conv2d, defined above)
    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, _, height, width = x.shape
        out_h = (height + 2 * ph - kh) // sh + 1
        out_w = (width + 2 * pw - kw) // sw + 1
        xp = F.pad(x, (pw, pw, ph, ph))
        out = torch.zeros(n, self.out_channels, out_h, out_w)
        for i in range(out_h):
            for j in range(out_w):
                for a in range(kh):
                    for b in range(kw):
                        # out[i, j] = sum w[a, b] * x[i - a, j - b]: a convolution, read with flipped taps
                        tap = xp[:, :, i * sh + kh - 1 - a, j * sw + kw - 1 - b]        # (N, C_in)
                        out[:, :, i, j] = out[:, :, i, j] + tap @ self.weight[:, :, a, b].T
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1, 1)
        return out


class FasterConv2d(Conv2d):
    def forward(self, x):
        n = x.shape[0]
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        out_h = (x.shape[2] + 2 * ph - kh) // sh + 1
        out_w = (x.shape[3] + 2 * pw - kw) // sw + 1
        cols = F.unfold(x, (kh, kw), padding=(ph, pw), stride=(sh, sw))
        out = self.weight.flip(2, 3).reshape(self.out_channels, -1) @ cols
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1)
        return out.view(n, self.out_channels, out_h, out_w)
