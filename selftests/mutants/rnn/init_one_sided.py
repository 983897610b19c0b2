"""Initialises every parameter uniformly in [0, 1/sqrt(H)] (torch.rand scaled by k) instead of the
symmetric range [-1/sqrt(H), 1/sqrt(H)]: the right size, but one sign only."""
HINT = "init"

import math

import torch
from torch import nn


class RNNCell(RNNCell):  # noqa: F821 (the solution's RNNCell, defined above)
    def __init__(self, input_size, hidden_size):
        nn.Module.__init__(self)
        k = 1 / math.sqrt(hidden_size)
        self.W_xh = nn.Parameter(torch.rand(hidden_size, input_size) * k)
        self.W_hh = nn.Parameter(torch.rand(hidden_size, hidden_size) * k)
        self.b_h = nn.Parameter(torch.rand(hidden_size) * k)


class RNNLayer(RNNLayer):  # noqa: F821 (the solution's RNNLayer, defined above)
    def __init__(self, input_size, hidden_size, output_size):
        nn.Module.__init__(self)
        self.cell = RNNCell(input_size, hidden_size)
        k = 1 / math.sqrt(hidden_size)
        self.W_hy = nn.Parameter(torch.rand(output_size, hidden_size) * k)
        self.b_y = nn.Parameter(torch.rand(output_size) * k)
