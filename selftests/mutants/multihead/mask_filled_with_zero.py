"""Sets the blocked scores to 0 rather than -inf, so blocked keys keep some weight."""
HINT = "mask_zero_fill"

import math

from torch import nn


class ScaledDotProductAttention(nn.Module):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.softmax = nn.Softmax(dim=-1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        if mask is not None:
            scores = scores.masked_fill(~mask, 0.0)
        return self.dropout(self.softmax(scores)) @ v
