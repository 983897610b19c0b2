"""Uses nn.MultiheadAttention's convention: blocks the scores where the mask is True."""
HINT = "mask_inverted"

import math

import torch
from torch import nn


class ScaledDotProductAttention(nn.Module):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.softmax = nn.Softmax(dim=-1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        if mask is not None:
            scores = scores.masked_fill(mask, -torch.inf)
        return self.dropout(self.softmax(scores)) @ v
