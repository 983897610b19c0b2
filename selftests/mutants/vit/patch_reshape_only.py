"""patchify reshapes the image straight to (B, N, C*p*p), without moving the axes of the patches together."""
HINT = "reshape_without_permute"


def patchify(images, patch_size):
    B, C, H, W = images.shape
    n = (H // patch_size) * (W // patch_size)
    return images.reshape(B, n, C * patch_size * patch_size)
