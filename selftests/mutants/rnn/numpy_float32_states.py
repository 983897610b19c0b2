"""Preallocates the NumPy array of hidden states as float32, so every stored state (and y_hat computed
from them, and the gradients built on them) loses float64 precision."""
HINT = "not_float64"

import numpy as np


def rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    batch, steps, _ = x.shape
    h = np.zeros((batch, steps, W_hh.shape[0]), dtype=np.float32)
    h_t = h0
    for t in range(steps):
        h_t = np.tanh(x[:, t] @ W_xh.T + h_t @ W_hh.T + b_h)
        h[:, t] = h_t
    return h, h @ W_hy.T + b_y
