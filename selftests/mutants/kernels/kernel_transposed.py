"""Loops over the kernel's taps with the row and column indices of the kernel swapped (kernel[b, a]),
i.e. it slides the transposed kernel (a kh x kw kernel spans kw rows)."""
HINT = "kernel_transposed"


def apply_kernel(image, kernel):
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kw + 1, image.shape[1] - kh + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            total = 0.0
            for a in range(kw):
                for b in range(kh):
                    total += kernel[b, a] * image[i + a, j + b]
            out[i, j] = total
    return out
