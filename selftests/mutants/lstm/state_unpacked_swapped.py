"""Unpacks the state as (c, h) in the cell, although it is passed and returned as (h, c)."""
HINT = "state_swapped"

import torch


class LSTMCell(LSTMCell):  # noqa: F821 (the solution's LSTMCell, defined above)
    def forward(self, x_t, state):
        c_prev, h_prev = state
        i, f, g, o = (x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T + self.bias).chunk(4, dim=1)
        c_t = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_t), c_t
