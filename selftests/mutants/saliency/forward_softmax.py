"""MLP2d.forward returns softmax probabilities instead of the raw scores."""
HINT = "forward_softmax"

import torch
from torch import nn


class MLP2d(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 2))

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)
