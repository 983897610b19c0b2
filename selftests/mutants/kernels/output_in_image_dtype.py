"""Allocates the output with the image's dtype: a uint8 picture gives a uint8 output, so fractional
sums are cut to integers and negative sums wrap around (no error, just wrong numbers)."""
HINT = "output_dtype"


def apply_kernel(image, kernel):
    image = np.asarray(image)
    kernel = np.asarray(kernel)
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1), dtype=image.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out
