"""The loop version sizes its output as (H + 2p - k) // s, without the + 1, so it drops the last
row and column of windows."""
HINT = "output_size"

import torch
import torch.nn.functional as F


class Conv2d(Conv2d):  # noqa: F821
    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, _, height, width = x.shape
        out_h = (height + 2 * ph - kh) // sh
        out_w = (width + 2 * pw - kw) // sw
        xp = F.pad(x, (pw, pw, ph, ph))
        out = torch.zeros(n, self.out_channels, out_h, out_w)
        w = self.weight.reshape(self.out_channels, -1)
        for i in range(out_h):
            for j in range(out_w):
                patch = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].reshape(n, -1)
                out[:, :, i, j] = patch @ w.T
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1, 1)
        return out
