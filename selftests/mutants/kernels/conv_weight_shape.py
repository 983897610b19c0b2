"""Returns the kernel shaped as an F.conv2d weight, (1, 1, 3, 3), instead of (3, 3)."""
import torch

HINT = "kernel_shape"


def horizontal_edge_kernel():
    return torch.tensor([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]).reshape(1, 1, 3, 3)
