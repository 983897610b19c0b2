"""Writes the sigmoid as 0.5 * (1 + tanh(a / 2)) (no overflow for any a), initialises with nn.init.uniform_
and a zero bias, slices the gates with narrow, and keeps the state as a list."""
import math

import torch
from torch import nn


def _sigmoid(a):
    return 0.5 * (1 + torch.tanh(0.5 * a))


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        k = 1 / math.sqrt(hidden_size)
        self.weight_ih = nn.Parameter(nn.init.uniform_(torch.empty(4 * hidden_size, input_size), -k, k))
        self.weight_hh = nn.Parameter(nn.init.uniform_(torch.empty(4 * hidden_size, hidden_size), -k, k))
        self.bias = nn.Parameter(torch.zeros(4 * hidden_size))

    def forward(self, x_t, state):
        h_prev, c_prev = state
        H = h_prev.shape[1]
        z = torch.addmm(self.bias, x_t, self.weight_ih.t()) + h_prev.mm(self.weight_hh.t())
        i, f, g, o = (z.narrow(1, k * H, H) for k in range(4))
        c_t = _sigmoid(f) * c_prev + _sigmoid(i) * torch.tanh(g)
        return _sigmoid(o) * torch.tanh(c_t), c_t


class LSTMLayer(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.cell = LSTMCell(input_size, hidden_size)

    def forward(self, x, state=None):
        H = self.cell.weight_hh.shape[1]
        state = list(state) if state is not None else [x.new_zeros(x.shape[0], H), x.new_zeros(x.shape[0], H)]
        hs = []
        for x_t in x.unbind(1):
            state = list(self.cell(x_t, tuple(state)))
            hs.append(state[0])
        return torch.stack(hs, 1), (state[0], state[1])
