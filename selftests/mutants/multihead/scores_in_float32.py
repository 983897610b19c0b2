"""Computes the attention in float32 whatever the inputs' dtype (q.float(), ...): float64 inputs give a
float32 output."""
HINT = "dtype_kept"

import math

from torch import nn


class ScaledDotProductAttention(nn.Module):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.softmax = nn.Softmax(dim=-1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        scores = q.float() @ k.float().transpose(-2, -1) / math.sqrt(q.shape[-1])
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        return self.dropout(self.softmax(scores)) @ v.float()
