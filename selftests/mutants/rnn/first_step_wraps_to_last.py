"""In the backward pass takes the previous state as h[:, t - 1] at every step, so at t = 0 it reads
h[:, -1] (the last state h_T) instead of h0."""
HINT = "h0_first_step"

import numpy as np


def bptt_gradients(x, h0, W_xh, W_hh, b_h, W_hy, b_y, dL_dy_hat):
    h, _ = rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y)  # noqa: F821
    dW_hy, db_y = np.zeros_like(W_hy), np.zeros_like(b_y)
    dW_hh, dW_xh, db_h = np.zeros_like(W_hh), np.zeros_like(W_xh), np.zeros_like(b_h)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_t, h_prev = h[:, t], h[:, t - 1]
        dy = dL_dy_hat[:, t]
        dW_hy += dy.T @ h_t
        db_y += dy.sum(axis=0)
        da = (dy @ W_hy + dh_next) * (1 - h_t ** 2)
        dW_hh += da.T @ h_prev
        dW_xh += da.T @ x[:, t]
        db_h += da.sum(axis=0)
        dh_next = da @ W_hh
    return dW_hy, db_y, dW_hh, dW_xh, db_h
