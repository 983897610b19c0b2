"""Box blur and Prewitt kernels as nested lists of Python numbers; apply_kernel with a loop per output pixel."""


def blur_kernel():
    return [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]]


def horizontal_edge_kernel():
    return [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]          # bright above: positive (the negated Prewitt)


def diagonal_edge_kernel():
    return [[0, 1, 1], [-1, 0, 1], [-1, -1, 0]]          # Prewitt turned to the "\" diagonal


def apply_kernel(image, kernel):
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    total += kernel[a, b] * image[i + a, j + b]
            out[i, j] = total
    return out
