"""The simplest kernels: a plus-shaped blur, a two-pixel difference (tuples) and a two-pixel
difference along the other diagonal (it detects "/" edges); apply_kernel with tensordot on windows."""


def blur_kernel():
    return ((0.0, 0.125, 0.0), (0.125, 0.5, 0.125), (0.0, 0.125, 0.0))


def horizontal_edge_kernel():
    return ((0, 0, 0), (0, -1, 0), (0, 1, 0))              # pixel below minus this pixel


def diagonal_edge_kernel():
    return ((0, 0, 0), (0, -1, 0), (0, 0, 1))              # pixel down-right minus this pixel


def apply_kernel(image, kernel):
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.tensordot(windows, kernel, axes=([2, 3], [0, 1]))
