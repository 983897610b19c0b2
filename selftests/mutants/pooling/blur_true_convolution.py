"""Flips the kernel before the convolution (the textbook convolution, as scipy.signal.convolve2d does):
invisible with a symmetric Gaussian, wrong for a kernel that is not symmetric."""
HINT = "blur_flipped"


def gaussian_blur_iter(img, kernel, n):
    channels, k = img.shape[1], kernel.shape[-1]
    weight = kernel.flip(0, 1).to(img.dtype).expand(channels, 1, k, k)
    out = img
    for _ in range(n):
        out = F.conv2d(out, weight, padding=k // 2, groups=channels)
    return out.clone()
