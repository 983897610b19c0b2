"""Converts to uint8 without rounding, so 254.7 becomes 254."""
HINT = "round_not_truncate"

import torch


def to_image(tensor):
    from PIL import Image

    pixels = tensor.detach().reshape(tensor.shape[-2:]).clamp(0, 1).mul(255)
    return Image.fromarray(pixels.to(torch.uint8).numpy())
