"""Calls F.conv2d instead of sliding the window with numpy."""
import torch
import torch.nn.functional as F

HINT = "library_conv"


def apply_kernel(image, kernel):
    x = torch.as_tensor(np.asarray(image, dtype=np.float64))[None, None]
    w = torch.as_tensor(np.asarray(kernel, dtype=np.float64))[None, None]
    return F.conv2d(x, w)[0, 0].numpy()
