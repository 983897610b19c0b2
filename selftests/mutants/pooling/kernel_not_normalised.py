"""Builds the Gaussian kernel but forgets to divide by its sum."""
HINT = "kernel_sum"

import torch


def gauss_kernel_2d(size, sigma):
    offsets = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    g = torch.exp(-offsets ** 2 / (2 * sigma ** 2))
    return torch.outer(g, g)
