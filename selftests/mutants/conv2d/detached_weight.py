"""The fast version multiplies by self.weight.data, which autograd cannot see: the forward pass is
right but the weight never gets a gradient."""
HINT = "not_differentiable"

import torch.nn.functional as F


class FasterConv2d(Conv2d):  # noqa: F821
    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, _, height, width = x.shape
        out_h = (height + 2 * ph - kh) // sh + 1
        out_w = (width + 2 * pw - kw) // sw + 1
        cols = F.unfold(x, (kh, kw), padding=(ph, pw), stride=(sh, sw))
        out = self.weight.data.reshape(self.out_channels, -1) @ cols
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1)
        return out.view(n, self.out_channels, out_h, out_w)
