"""Transposes W_xh (its shape forces it when H != D) but multiplies by the square W_hh as stored:
h_prev @ W_hh instead of h_prev @ W_hh.T."""
HINT = "weights_transposed"

import torch


class RNNCell(RNNCell):  # noqa: F821 (the solution's RNNCell, defined above)
    def forward(self, x_t, h_prev):
        return torch.tanh(x_t @ self.W_xh.T + h_prev @ self.W_hh + self.b_h)
