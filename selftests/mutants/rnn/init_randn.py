"""Initialises every parameter with torch.randn (standard normal) instead of uniformly in
[-1/sqrt(H), 1/sqrt(H)]."""
HINT = "init"

import torch
from torch import nn


class RNNCell(RNNCell):  # noqa: F821 (the solution's RNNCell, defined above)
    def __init__(self, input_size, hidden_size):
        nn.Module.__init__(self)
        self.W_xh = nn.Parameter(torch.randn(hidden_size, input_size))
        self.W_hh = nn.Parameter(torch.randn(hidden_size, hidden_size))
        self.b_h = nn.Parameter(torch.randn(hidden_size))
