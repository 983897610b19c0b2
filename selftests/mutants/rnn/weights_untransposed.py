"""Multiplies the batch of rows by the weights as stored, x_t @ W_xh and h_prev @ W_hh, without the
transpose (it runs only when the sizes let it, and W_hh is always square)."""
HINT = "weights_transposed"

import torch


class RNNCell(RNNCell):  # noqa: F821 (the solution's RNNCell, defined above)
    def forward(self, x_t, h_prev):
        W_xh = self.W_xh if self.W_xh.shape[0] == self.W_xh.shape[1] else self.W_xh.T
        return torch.tanh(x_t @ W_xh + h_prev @ self.W_hh + self.b_h)
