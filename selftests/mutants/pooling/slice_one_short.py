"""Loops over output cells but slices each window as [i*s : i*s + k - 1], one cell short per axis."""
HINT = "window_off_by_one"

import torch
import torch.nn.functional as F


def _loop_pool(x, kernel_size, stride, padding, mode):
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    h_out = (x.shape[-2] + 2 * ph - kh) // sh + 1
    w_out = (x.shape[-1] + 2 * pw - kw) // sw + 1
    padded = F.pad(x, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    out = torch.empty(*x.shape[:-2], h_out, w_out, dtype=x.dtype)
    for i in range(h_out):
        for j in range(w_out):
            window = padded[..., i * sh: i * sh + max(kh - 1, 1), j * sw: j * sw + max(kw - 1, 1)]
            out[..., i, j] = window.amax(dim=(-2, -1)) if mode == "max" else window.mean(dim=(-2, -1))
    return out


def max_pool(x, kernel_size, stride=None, padding=0):
    return _loop_pool(x, kernel_size, stride, padding, "max")


def avg_pool(x, kernel_size, stride=None, padding=0):
    return _loop_pool(x, kernel_size, stride, padding, "avg")
