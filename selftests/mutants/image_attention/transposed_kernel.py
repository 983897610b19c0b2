"""Pairs window position (a, b) with k[o, b, a] and v[o, b, a] (the einsum letters of the kernels swapped)."""
HINT = "transposed_kernel"


def attention_loops(x, k, v):
    return attention_vectorized(x, k, v)


def attention_vectorized(x, k, v):
    win = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(0, 1))
    s = np.einsum("ijcab,obac->ijoab", win, k)
    e = np.exp(s - s.max(axis=(-2, -1), keepdims=True))
    return np.einsum("ijoab,oba->ijo", e, v) / e.sum(axis=(-2, -1))
