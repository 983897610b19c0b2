"""apply_kernel written with plain Python numbers: the window sums are computed with float() in list
comprehensions and only the final grid becomes a numpy array (float64); the kernels are nested lists."""


def apply_kernel(image, kernel):
    img = [[float(v) for v in row] for row in np.asarray(image).tolist()]
    ker = [[float(v) for v in row] for row in np.asarray(kernel).tolist()]
    kh, kw = len(ker), len(ker[0])
    rows, cols = len(img) - kh + 1, len(img[0]) - kw + 1
    out = [[sum(ker[a][b] * img[i + a][j + b] for a in range(kh) for b in range(kw)) for j in range(cols)]
           for i in range(rows)]
    return np.array(out, dtype=np.float64).reshape(rows, cols)
