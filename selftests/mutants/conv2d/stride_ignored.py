"""The fast version forgets to pass the stride to unfold and sizes its output from unfold's result,
so it always computes the stride-1 convolution."""
HINT = "stride_wrong"

import torch.nn.functional as F


class FasterConv2d(Conv2d):  # noqa: F821
    def forward(self, x):
        (kh, kw), (ph, pw) = self.kernel_size, self.padding
        n, _, height, width = x.shape
        out_h, out_w = height + 2 * ph - kh + 1, width + 2 * pw - kw + 1
        cols = F.unfold(x, (kh, kw), padding=(ph, pw))
        out = self.weight.reshape(self.out_channels, -1) @ cols
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1)
        return out.view(n, self.out_channels, out_h, out_w)
