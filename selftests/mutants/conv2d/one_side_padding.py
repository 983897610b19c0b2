"""The fast version pads only at the end of each axis (bottom and right), p zeros in all,
and lets unfold (with no padding) work out the output size."""
HINT = "padding_one_side"

import torch.nn.functional as F


class FasterConv2d(Conv2d):  # noqa: F821
    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        xp = F.pad(x, (0, pw, 0, ph))
        n, _, height, width = xp.shape
        out_h, out_w = (height - kh) // sh + 1, (width - kw) // sw + 1
        cols = F.unfold(xp, (kh, kw), stride=(sh, sw))
        out = self.weight.reshape(self.out_channels, -1) @ cols
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1)
        return out.view(n, self.out_channels, out_h, out_w)
