"""One head at a time: slices the projections' output features, attends with a mask filled with -1e9
(no -inf), and concatenates the heads; loops over the tokens in the equivariance check."""
import math

import torch
from torch import nn


class ScaledDotProductAttention(nn.Module):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.softmax = nn.Softmax(dim=-1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        scores = torch.matmul(q, torch.transpose(k, -1, -2)) / q.shape[-1] ** 0.5
        if mask is not None:
            scores = scores.masked_fill(mask.logical_not(), -1e9)
        return torch.matmul(self.dropout(self.softmax(scores)), v)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, dropout=0.0, bias=True):
        super().__init__()
        assert d_model % num_heads == 0
        self.num_heads, self.d_head = num_heads, d_model // num_heads
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)
        self.attend = ScaledDotProductAttention(dropout)

    def forward(self, query, key, value, mask=None):
        q, k, v = self.w_q(query), self.w_k(key), self.w_v(value)
        outputs = []
        for i in range(self.num_heads):
            cols = slice(i * self.d_head, (i + 1) * self.d_head)
            outputs.append(self.attend(q[..., cols], k[..., cols], v[..., cols], mask))
        return self.w_o(torch.cat(outputs, dim=-1))


def equivariance_error(f, x, perm):
    fx, fpx = f(x), f(x[:, list(perm)])
    worst = 0.0
    for new, old in enumerate(perm):
        worst = max(worst, (fpx[:, new] - fx[:, old]).abs().max().item())
    return worst


def is_permutation_equivariant(f, x, perm, tol=1e-5):
    return not equivariance_error(f, x, perm) > tol


def add_positional(x):
    b, t, d = x.shape
    pe = sinusoidal_positional_encoding(t, d)  # noqa: F821
    return x + pe.unsqueeze(0).expand(b, t, d).to(x.dtype)
