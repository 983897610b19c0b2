"""Reads the problem's sigma as the logistic sigmoid: h_t = sigmoid(...) in the cell (and so in the layer)
and in the NumPy forward pass."""
HINT = "nonlinearity"

import numpy as np
import torch


class RNNCell(RNNCell):  # noqa: F821 (the solution's RNNCell, defined above)
    def forward(self, x_t, h_prev):
        return torch.sigmoid(x_t @ self.W_xh.T + h_prev @ self.W_hh.T + self.b_h)


def rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    h, h_t = [], h0
    for t in range(x.shape[1]):
        h_t = 1 / (1 + np.exp(-(x[:, t] @ W_xh.T + h_t @ W_hh.T + b_h)))
        h.append(h_t)
    h = np.stack(h, axis=1)
    return h, h @ W_hy.T + b_y
