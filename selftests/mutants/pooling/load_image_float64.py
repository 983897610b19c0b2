"""Divides the uint8 numpy pixels by 255.0, which makes float64, and returns that (the docstring asks for float32)."""
HINT = "image_dtype"


def load_image(path):
    from PIL import Image
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("L"))
    return torch.from_numpy(pixels / 255.0)[None, None]
