"""Concatenates [x_t, h_{t-1}] and multiplies once by [weight_ih, weight_hh] (joined by columns); slices
the gates by index; the layer concatenates the unsqueezed states instead of stacking them."""
import math

import torch
from torch import nn


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        k = 1 / math.sqrt(hidden_size)
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size).uniform_(-k, k))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size).uniform_(-k, k))
        self.bias = nn.Parameter(torch.zeros(4 * hidden_size))

    def forward(self, x_t, state):
        h_prev, c_prev = state
        H = self.hidden_size
        z = torch.cat([x_t, h_prev], dim=1) @ torch.cat([self.weight_ih, self.weight_hh], dim=1).T + self.bias
        input_gate = torch.sigmoid(z[:, 0:H])
        forget_gate = torch.sigmoid(z[:, H:2 * H])
        candidate = torch.tanh(z[:, 2 * H:3 * H])
        output_gate = torch.sigmoid(z[:, 3 * H:])
        c_t = forget_gate * c_prev + input_gate * candidate
        return output_gate * torch.tanh(c_t), c_t


class LSTMLayer(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.cell = LSTMCell(input_size, hidden_size)

    def forward(self, x, state=None):
        B = x.size(0)
        h, c = state if state is not None else (torch.zeros(B, self.cell.hidden_size),
                                                torch.zeros(B, self.cell.hidden_size))
        outputs = []
        for x_t in x.unbind(1):
            h, c = self.cell(x_t, (h, c))
            outputs.append(h.unsqueeze(1))
        return torch.cat(outputs, dim=1), (h, c)
