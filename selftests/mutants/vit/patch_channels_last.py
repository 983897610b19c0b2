"""patchify flattens every patch channels last (rows, columns, channels), as an image library's (H, W, C)
layout would."""
HINT = "patch_channels_last"


def patchify(images, patch_size):
    B, C, H, W = images.shape
    p = patch_size
    blocks = images.reshape(B, C, H // p, p, W // p, p)
    return blocks.permute(0, 2, 4, 3, 5, 1).reshape(B, (H // p) * (W // p), C * p * p)
