"""Reads .shape straight from its arguments: right for numpy arrays, an AttributeError for nested lists,
which the docstring allows ("array-like")."""
HINT = "array_like"


def apply_kernel(image, kernel):
    kh, kw = kernel.shape
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for a in range(kh):
        for b in range(kw):
            out += kernel[a, b] * image[a:a + out_h, b:b + out_w]
    return out
