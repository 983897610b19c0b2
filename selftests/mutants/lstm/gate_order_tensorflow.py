"""Slices the packed gates in TensorFlow's order i, j (candidate), f, o instead of PyTorch's i, f, g, o."""
HINT = "gate_order"

import torch


class LSTMCell(LSTMCell):  # noqa: F821 (the solution's LSTMCell, defined above)
    def forward(self, x_t, state):
        h_prev, c_prev = state
        i, g, f, o = (x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T + self.bias).chunk(4, dim=1)
        c_t = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_t), c_t
