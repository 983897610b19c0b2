"""The 'vectorised' version loops over the output rows in a helper function (right values)."""
HINT = "python_loops"


def _one_row(x, k, v, i):
    win = np.lib.stride_tricks.sliding_window_view(x[i:i + 3], (3, 3), axis=(0, 1))[0]
    s = np.einsum("jcab,oabc->joab", win, k).reshape(win.shape[0], k.shape[0], 9)
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    w /= w.sum(axis=-1, keepdims=True)
    return np.einsum("jon,on->jo", w, v.reshape(v.shape[0], 9))


def attention_vectorized(x, k, v):
    return np.stack([_one_row(x, k, v, i) for i in range(x.shape[0] - 2)])
