"""patchify cuts the patches with unfold along H then W, but flattens each patch column by column (its H and W
axes swapped)."""
HINT = "patch_transposed"


def patchify(images, patch_size):
    B, C, H, W = images.shape
    p = patch_size
    t = images.unfold(2, p, p).unfold(3, p, p)          # B, C, H/p, W/p, p (rows), p (columns)
    return t.permute(0, 2, 3, 1, 5, 4).reshape(B, (H // p) * (W // p), C * p * p)
