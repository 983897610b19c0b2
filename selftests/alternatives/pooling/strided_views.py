"""Pools through an as_strided view of the padded input; blurs by summing shifted copies instead of
F.conv2d; by-hand answers are float32 tensors; plots with pyplot on the Agg backend."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def _windows(x, kernel_size, stride, padding, fill):
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    padded = F.pad(x, (pw, pw, ph, ph), value=fill).contiguous()
    n, c, hp, wp = padded.shape
    h_out, w_out = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    s = padded.stride()
    return padded.as_strided((n, c, h_out, w_out, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2], s[3]))


def max_pool(x, kernel_size, stride=None, padding=0):
    return _windows(x, kernel_size, stride, padding, float("-inf")).amax(dim=(-2, -1))


def avg_pool(x, kernel_size, stride=None, padding=0):
    return _windows(x, kernel_size, stride, padding, 0.0).mean(dim=(-2, -1))


def answer_max_pool_a():
    return max_pool(torch.tensor([[MATRIX_A]], dtype=torch.float32), 3, 2)[0, 0]


def answer_max_pool_b():
    return max_pool(torch.tensor([[MATRIX_B]], dtype=torch.float32), 3, 2)[0, 0]


def answer_avg_pool_a():
    return avg_pool(torch.tensor([[MATRIX_A]], dtype=torch.float32), 3, 2)[0, 0]


def answer_avg_pool_b():
    return avg_pool(torch.tensor([[MATRIX_B]], dtype=torch.float32), 3, 2)[0, 0]


def maxpool_iter(img, n):
    return img.clone() if n == 0 else max_pool(maxpool_iter(img, n - 1), 3, 1, 1)


def gaussian_blur_iter(img, kernel, n):
    k = kernel.shape[-1]
    out = img.clone()
    for _ in range(n):
        padded = F.pad(out, (k // 2,) * 4)
        h, w = out.shape[-2:]
        out = sum(kernel[i, j].to(img.dtype) * padded[..., i: i + h, j: j + w] for i in range(k) for j in range(k))
    return out


def plot_comparison(img, path, iterations=(0, 1, 2, 3, 4), kernel=None):
    kernel = gauss_kernel_2d(5, 1.0) if kernel is None else kernel
    fig, axes = plt.subplots(2, 5, figsize=(10, 4))
    for c, n in enumerate(iterations):
        axes[0][c].imshow(maxpool_iter(img, n)[0, 0].numpy(), cmap="gray", vmin=0, vmax=1)
        axes[1][c].imshow(gaussian_blur_iter(img, kernel, n)[0, 0].numpy(), cmap="gray", vmin=0, vmax=1)
        axes[0][c].set_title(f"max x{n}")
        axes[1][c].set_title(f"blur x{n}")
    fig.savefig(path)
    return fig
