"""Pools without padding in maxpool_iter: every step shrinks H and W by 2 instead of keeping them."""
HINT = "iter_shape"


def maxpool_iter(img, n):
    out = img
    for _ in range(n):
        out = max_pool(out, 3, stride=1)
    return out.clone()
