"""Allocates the output as float32 (np.zeros(..., dtype=np.float32)): values right to ~7 digits, wrong dtype."""
HINT = "float64"


def attention_loops(x, k, v):
    height, width, _ = x.shape
    y = np.zeros((height - 2, width - 2, k.shape[0]), dtype=np.float32)
    for i in range(height - 2):
        for j in range(width - 2):
            for o in range(k.shape[0]):
                s = np.sum(x[i:i + 3, j:j + 3] * k[o], axis=-1)
                e = np.exp(s - s.max())
                y[i, j, o] = np.sum(e * v[o]) / e.sum()
    return y
