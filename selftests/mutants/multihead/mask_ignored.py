"""Takes the mask argument but never uses it."""
HINT = "mask_ignored"

import math

from torch import nn


class ScaledDotProductAttention(nn.Module):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.softmax = nn.Softmax(dim=-1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        weights = self.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.size(-1)))
        return self.dropout(weights) @ v
