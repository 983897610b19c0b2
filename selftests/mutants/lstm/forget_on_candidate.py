"""Swaps the roles of the two gates in the memory update: C_t = F_t * C~_t + I_t * C_{t-1}."""
HINT = "input_forget_swapped"

import torch


class LSTMCell(LSTMCell):  # noqa: F821 (the solution's LSTMCell, defined above)
    def forward(self, x_t, state):
        h_prev, c_prev = state
        i, f, g, o = (x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T + self.bias).chunk(4, dim=1)
        c_t = torch.sigmoid(f) * torch.tanh(g) + torch.sigmoid(i) * c_prev
        return torch.sigmoid(o) * torch.tanh(c_t), c_t
