"""The vectorised version subtracts one maximum, over all scores of the image, before exp: a window whose
nine scores all lie far below it underflows to 0 / 0."""
HINT = "global_max"


def attention_vectorized(x, k, v):
    win = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(0, 1))
    s = np.einsum("ijcab,oabc->ijoab", win, k)
    e = np.exp(s - s.max())
    return np.einsum("ijoab,oab->ijo", e, v) / e.sum(axis=(-2, -1))
