"""Slices the packed gates in the order the problem lists them, F, I, C~, O, instead of PyTorch's i, f, g, o."""
HINT = "input_forget_swapped"

import torch


class LSTMCell(LSTMCell):  # noqa: F821 (the solution's LSTMCell, defined above)
    def forward(self, x_t, state):
        h_prev, c_prev = state
        gates = x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T + self.bias
        f, i, g, o = gates.chunk(4, dim=1)
        c_t = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_t), c_t
