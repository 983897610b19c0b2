"""Diagonal kernel = Sobel(x) + Sobel(y) (a gradient detector turned 45 degrees); a central
difference for horizontal edges; a float32 box blur; apply_kernel as a matrix product of patches."""


def blur_kernel():
    return np.full((3, 3), 1 / 9, dtype=np.float32)


def horizontal_edge_kernel():
    return np.array([[0, -1, 0], [0, 0, 0], [0, 1, 0]])


def diagonal_edge_kernel():
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    sobel_y = sobel_x.T
    return sobel_x + sobel_y


def apply_kernel(image, kernel):
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    patches = np.lib.stride_tricks.sliding_window_view(image, (kh, kw)).reshape(rows * cols, kh * kw)
    return (patches @ kernel.reshape(-1)).reshape(rows, cols)
