"""Writes the Gaussian weights 1-2-1 but forgets to divide them by their sum (16)."""
HINT = "blur_sum"


def blur_kernel():
    return [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
