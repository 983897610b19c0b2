"""A hand-written attention whose query, key and value projections have no bias (as in the problem set's
part (a)), while the task's layer has all four projections with biases."""
HINT = "qkv_without_bias"

import math

import torch
from torch import nn


class PreLNLayer(nn.Module):
    def __init__(self, dim, heads, mlp_dim, dropout=0.0):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(dim)
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.o = nn.Linear(dim, dim)
        self.drop1 = nn.Dropout(dropout)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(mlp_dim, dim), nn.Dropout(dropout))

    def forward(self, x):
        B, T, D = x.shape
        d = D // self.heads
        y = self.ln1(x)
        q, k, v = (f(y).view(B, T, self.heads, d).transpose(1, 2) for f in (self.q, self.k, self.v))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1) @ v
        h = x + self.drop1(self.o(a.transpose(1, 2).reshape(B, T, D)))
        return h + self.mlp(self.ln2(h))
