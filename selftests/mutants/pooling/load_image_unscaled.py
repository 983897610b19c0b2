"""Loads the grayscale pixels but leaves them in 0..255."""
HINT = "image_scale"

import numpy as np
import torch


def load_image(path):
    from PIL import Image

    with Image.open(path) as image:
        pixels = np.asarray(image.convert("L"), dtype=np.float32)
    return torch.from_numpy(pixels)[None, None]
