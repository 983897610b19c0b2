"""The fast version builds the patches itself, one strided slice per kernel tap (a loop over the
kh*kw taps, not over output positions), and contracts them with the weight in one einsum."""
import torch
import torch.nn.functional as F


class FasterConv2d(Conv2d):  # noqa: F821
    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        xp = F.pad(x, (pw, pw, ph, ph))
        out_h = (xp.shape[2] - kh) // sh + 1
        out_w = (xp.shape[3] - kw) // sw + 1
        taps = [xp[:, :, a:a + sh * (out_h - 1) + 1:sh, b:b + sw * (out_w - 1) + 1:sw]
                for a in range(kh) for b in range(kw)]
        patches = torch.stack(taps, dim=2).reshape(x.shape[0], x.shape[1], kh, kw, out_h, out_w)
        out = torch.einsum("ncabij,ocab->noij", patches, self.weight)
        if self.bias is not None:
            out = out + self.bias.reshape(1, -1, 1, 1)
        return out
