"""patchify numbers the patches column by column (the W/p axis before the H/p axis)."""
HINT = "patch_column_major"


def patchify(images, patch_size):
    B, C, H, W = images.shape
    p = patch_size
    blocks = images.reshape(B, C, H // p, p, W // p, p)
    return blocks.permute(0, 4, 2, 1, 3, 5).reshape(B, (H // p) * (W // p), C * p * p)
