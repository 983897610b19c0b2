"""Takes the softmax as exp(s) / sum(exp(s)) without subtracting the largest score first: exp overflows
to inf for scores above ~709 (inf / inf = NaN) and underflows to 0 below ~-745 (0 / 0 = NaN)."""
HINT = "softmax_overflow"


def attention_loops(x, k, v):
    height, width, _ = x.shape
    y = np.zeros((height - 2, width - 2, k.shape[0]))
    for i in range(height - 2):
        for j in range(width - 2):
            for o in range(k.shape[0]):
                e = np.exp(np.sum(x[i:i + 3, j:j + 3] * k[o], axis=-1))
                y[i, j, o] = np.sum(e * v[o]) / np.sum(e)
    return y


def attention_vectorized(x, k, v):
    win = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(0, 1))
    e = np.exp(np.einsum("ijcab,oabc->ijoab", win, k))
    return np.einsum("ijoab,oab->ijo", e, v) / e.sum(axis=(-2, -1))
