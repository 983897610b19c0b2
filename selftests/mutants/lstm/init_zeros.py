"""Initialises every parameter with zeros instead of uniformly in [-1/sqrt(H), 1/sqrt(H)]."""
HINT = "init"

import torch
from torch import nn


class LSTMCell(LSTMCell):  # noqa: F821 (the solution's LSTMCell, defined above)
    def __init__(self, input_size, hidden_size):
        nn.Module.__init__(self)
        self.weight_ih = nn.Parameter(torch.zeros(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.zeros(4 * hidden_size, hidden_size))
        self.bias = nn.Parameter(torch.zeros(4 * hidden_size))
