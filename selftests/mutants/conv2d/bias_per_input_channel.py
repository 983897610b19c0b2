"""The loop version accumulates the output one input channel at a time and adds the bias with
every channel's contribution, so the bias counts in_channels times."""
HINT = "bias_wrong"

import torch
import torch.nn.functional as F


class Conv2d(Conv2d):  # noqa: F821
    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, c_in, height, width = x.shape
        out_h = (height + 2 * ph - kh) // sh + 1
        out_w = (width + 2 * pw - kw) // sw + 1
        xp = F.pad(x, (pw, pw, ph, ph))
        out = torch.zeros(n, self.out_channels, out_h, out_w)
        for i in range(out_h):
            for j in range(out_w):
                for c in range(c_in):
                    patch = xp[:, c, i * sh:i * sh + kh, j * sw:j * sw + kw].reshape(n, -1)
                    value = patch @ self.weight[:, c].reshape(self.out_channels, -1).T
                    if self.bias is not None:
                        value = value + self.bias
                    out[:, :, i, j] = out[:, :, i, j] + value
        return out
