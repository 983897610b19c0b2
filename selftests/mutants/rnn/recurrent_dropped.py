"""BPTT with only the direct path: dL/dh_t = dL_t/dy_hat_t @ W_hy, the gradient arriving from h_{t+1}
through W_hh is never added."""
HINT = "recurrent_dropped"

import numpy as np


def bptt_gradients(x, h0, W_xh, W_hh, b_h, W_hy, b_y, dL_dy_hat):
    h, _ = rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y)  # noqa: F821
    grads = [np.zeros_like(p) for p in (W_hy, b_y, W_hh, W_xh, b_h)]
    for t in range(x.shape[1]):
        h_prev = h[:, t - 1] if t > 0 else h0
        dy = dL_dy_hat[:, t]
        da = (dy @ W_hy) * (1 - h[:, t] ** 2)
        for g, value in zip(grads, (dy.T @ h[:, t], dy.sum(0), da.T @ h_prev, da.T @ x[:, t], da.sum(0))):
            g += value
    return tuple(grads)
