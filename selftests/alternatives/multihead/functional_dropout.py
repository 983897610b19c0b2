"""F.dropout(weights, p, self.training) instead of an nn.Dropout call (dropout kept as a float), mask
heads added with mask[:, None], the scale as a multiplication by d_k ** -0.5; is_permutation_equivariant
compares with torch.le and returns a tensor; positional_demo passes tol by keyword; add_positional adds
with torch.add into a new tensor."""
import torch
import torch.nn.functional as F
from torch import nn


class ScaledDotProductAttention(nn.Module):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.p = dropout
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, q, k, v, mask=None):
        scores = torch.matmul(q, k.transpose(-1, -2)) * q.shape[-1] ** -0.5
        if mask is not None:
            scores = scores.masked_fill(mask.logical_not(), float("-inf"))
        return F.dropout(self.softmax(scores), self.p, self.training) @ v


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, dropout=0.0, bias=True):
        super().__init__()
        self.h, self.d = num_heads, d_model
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)
        self.attn = ScaledDotProductAttention(dropout)

    def forward(self, query, key, value, mask=None):
        def split(x):
            return x.unflatten(-1, (self.h, self.d // self.h)).transpose(1, 2)

        if mask is not None and mask.dim() == 3:
            mask = mask[:, None]
        out = self.attn(split(self.w_q(query)), split(self.w_k(key)), split(self.w_v(value)), mask)
        return self.w_o(out.transpose(1, 2).flatten(-2))


def equivariance_error(f, x, perm):
    with torch.no_grad():
        return (f(x[:, perm]) - f(x)[:, perm]).abs().amax().item()


def is_permutation_equivariant(f, x, perm, tol=1e-5):
    return torch.le(torch.tensor(equivariance_error(f, x, perm)), tol)


def add_positional(x):
    return torch.add(x, sinusoidal_positional_encoding(x.shape[1], x.shape[2]).to(x))  # noqa: F821


def positional_demo(layer, x, perm, tol=1e-5):
    return (bool(is_permutation_equivariant(layer, x, perm, tol=tol)),
            bool(is_permutation_equivariant(lambda z: layer(add_positional(z)), x, perm, tol=tol)))
