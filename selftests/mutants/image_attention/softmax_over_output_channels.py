"""Takes the softmax over the output channels instead of over the nine window positions."""
HINT = "softmax_axis"


def attention_loops(x, k, v):
    height, width, _ = x.shape
    y = np.zeros((height - 2, width - 2, k.shape[0]))
    for i in range(height - 2):
        for j in range(width - 2):
            s = np.einsum("abc,oabc->oab", x[i:i + 3, j:j + 3], k)
            w = np.exp(s - s.max(axis=0))
            w /= w.sum(axis=0)
            y[i, j] = np.sum(w * v, axis=(1, 2))
    return y


def attention_vectorized(x, k, v):
    win = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(0, 1))
    s = np.einsum("ijcab,oabc->ijoab", win, k)
    w = np.exp(s - s.max(axis=2, keepdims=True))
    w /= w.sum(axis=2, keepdims=True)
    return np.einsum("ijoab,oab->ijo", w, v)
