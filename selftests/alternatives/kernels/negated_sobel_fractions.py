"""Negated Sobel kernels, the diagonal one for "/" edges; a box blur of exact fractions;
apply_kernel by rows of the kernel with numpy slicing and np.add.reduce."""
from fractions import Fraction


def blur_kernel():
    return [[Fraction(1, 9)] * 3 for _ in range(3)]


def horizontal_edge_kernel():
    return np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]])            # integer array


def diagonal_edge_kernel():
    return np.array([[-2, -1, 0], [-1, 0, 1], [0, 1, 2]])            # the "/" Sobel, negated


def apply_kernel(image, kernel):
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    parts = [kernel[a, b] * image[a:a + rows, b:b + cols] for a in range(kh) for b in range(kw)]
    return np.add.reduce(parts, axis=0) if parts else np.zeros((rows, cols))
