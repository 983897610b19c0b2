"""Reshapes the (H-2, W-2, C_in, 3, 3) windows of sliding_window_view straight to (H-2, W-2, 9, C_in),
mixing channels and window positions (right when C_in = 1)."""
HINT = "window_axes"


def attention_vectorized(x, k, v):
    h, w, c = x.shape
    win = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(0, 1)).reshape(h - 2, w - 2, 9, c)
    s = np.einsum("ijnc,onc->ijon", win, k.reshape(k.shape[0], 9, c))
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return np.einsum("ijon,on->ijo", e / e.sum(axis=-1, keepdims=True), v.reshape(v.shape[0], 9))
