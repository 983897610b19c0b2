"""Applies the forget gate to the short-term memory h_{t-1} instead of the cell state C_{t-1}."""
HINT = "forget_wrong_state"

import torch


class LSTMCell(LSTMCell):  # noqa: F821 (the solution's LSTMCell, defined above)
    def forward(self, x_t, state):
        h_prev, c_prev = state
        i, f, g, o = (x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T + self.bias).chunk(4, dim=1)
        c_t = torch.sigmoid(f) * h_prev + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_t), c_t
