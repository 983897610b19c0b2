"""Unpacks the stride pair as (s_w, s_h): rows step by the W stride and columns by the H stride."""
HINT = "stride_swapped"

import torch
import torch.nn.functional as F


class Conv2d(Conv2d):  # noqa: F821
    def forward(self, x):
        (kh, kw), (sw, sh), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, _, height, width = x.shape
        out_h = (height + 2 * ph - kh) // sh + 1
        out_w = (width + 2 * pw - kw) // sw + 1
        xp = F.pad(x, (pw, pw, ph, ph))
        w = self.weight.reshape(self.out_channels, -1)
        out = torch.zeros(n, self.out_channels, out_h, out_w)
        for i in range(out_h):
            for j in range(out_w):
                patch = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                out[:, :, i, j] = patch.reshape(n, -1) @ w.T
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1, 1)
        return out
