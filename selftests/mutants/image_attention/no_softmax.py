"""Weighs the values with the raw scores (no softmax)."""
HINT = "no_softmax"


def attention_vectorized(x, k, v):
    win = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(0, 1))
    s = np.einsum("ijcab,oabc->ijoab", win, k)
    return np.einsum("ijoab,oab->ijo", s, v)
