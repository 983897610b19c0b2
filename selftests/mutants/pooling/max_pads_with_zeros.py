"""Pads with zeros for max pooling too, so a padded 0 beats negative values at the border."""
HINT = "max_pad_zero"

import torch
import torch.nn.functional as F


def max_pool(x, kernel_size, stride=None, padding=0):
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    h_out = (x.shape[-2] + 2 * ph - kh) // sh + 1
    w_out = (x.shape[-1] + 2 * pw - kw) // sw + 1
    padded = F.pad(x, (pw, pw, ph, ph))
    out = None
    for i in range(kh):
        for j in range(kw):
            cells = padded[..., i: i + sh * (h_out - 1) + 1: sh, j: j + sw * (w_out - 1) + 1: sw]
            out = cells.clone() if out is None else torch.maximum(out, cells)
    return out
