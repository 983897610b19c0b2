"""Assigns each step's contribution instead of adding it up: the loop runs backwards, so every gradient
is the contribution of the first time step only."""
HINT = "time_sum_missing"

import numpy as np


def bptt_gradients(x, h0, W_xh, W_hh, b_h, W_hy, b_y, dL_dy_hat):
    h, _ = rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y)  # noqa: F821
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h[:, t - 1] if t > 0 else h0
        dy = dL_dy_hat[:, t]
        dW_hy = dy.T @ h[:, t]
        db_y = dy.sum(axis=0)
        da = (dy @ W_hy + dh_next) * (1 - h[:, t] ** 2)
        dW_hh = da.T @ h_prev
        dW_xh = da.T @ x[:, t]
        db_h = da.sum(axis=0)
        dh_next = da @ W_hh
    return dW_hy, db_y, dW_hh, dW_xh, db_h
