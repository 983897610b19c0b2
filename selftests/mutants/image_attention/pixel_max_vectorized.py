"""The vectorised version subtracts one maximum per output pixel, over all output channels and window
positions, before exp: an output channel whose scores all lie far below another channel's underflows to 0 / 0."""
HINT = "global_max"


def attention_vectorized(x, k, v):
    win = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(0, 1))
    s = np.einsum("ijcab,oabc->ijoab", win, k)
    e = np.exp(s - s.max(axis=(2, 3, 4), keepdims=True))
    return np.einsum("ijoab,oab->ijo", e, v) / e.sum(axis=(-2, -1))
