"""Kernels as float32 torch tensors (a Gaussian blur, Scharr, a Scharr-like diagonal);
apply_kernel with sliding_window_view and einsum."""
import torch


def blur_kernel():
    g = torch.tensor([1.0, 2.0, 1.0])
    return torch.outer(g, g) / 16


def horizontal_edge_kernel():
    return torch.tensor([[-3.0, -10.0, -3.0], [0.0, 0.0, 0.0], [3.0, 10.0, 3.0]])


def diagonal_edge_kernel():
    return torch.tensor([[0.0, 3.0, 10.0], [-3.0, 0.0, 3.0], [-10.0, -3.0, 0.0]])


def apply_kernel(image, kernel):
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijab,ab->ij", windows, kernel)
