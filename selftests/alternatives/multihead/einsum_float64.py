"""Einsum everywhere, scores and softmax in float64 (cast back at the end), torch.where with the most
negative float instead of -inf, heads split with reshape + permute; the equivariance check compares
f(x) with f(x[:, perm]) mapped back by the inverse permutation (the same differences, reordered)."""
import math

import numpy as np
import torch
from torch import nn


class ScaledDotProductAttention(nn.Module):
    def __init__(self, dropout=0.0):
        super().__init__()
        self.sm = nn.Softmax(dim=-1)
        self.drop = nn.Dropout(p=dropout)

    def forward(self, q, k, v, mask=None):
        scores = torch.einsum("...qd,...kd->...qk", q.double(), k.double()) * (1.0 / math.sqrt(q.shape[-1]))
        if mask is not None:
            scores = torch.where(mask, scores, torch.full_like(scores, torch.finfo(scores.dtype).min))
        weights = self.drop(self.sm(scores))
        return torch.einsum("...qk,...kd->...qd", weights, v.double()).to(v.dtype)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, dropout=0.0, bias=True):
        super().__init__()
        self.h = num_heads
        self.w_q, self.w_k, self.w_v, self.w_o = (nn.Linear(d_model, d_model, bias) for _ in range(4))
        self.core = ScaledDotProductAttention(dropout)

    def forward(self, query, key, value, mask=None):
        def heads(x):
            b, t, d = x.shape
            return x.reshape(b, t, self.h, d // self.h).permute(0, 2, 1, 3)

        if mask is not None and mask.ndim == 3:
            mask = mask[:, None]
        out = self.core(heads(self.w_q(query)), heads(self.w_k(key)), heads(self.w_v(value)), mask)
        b, _, t, _ = out.shape
        return self.w_o(out.permute(0, 2, 1, 3).reshape(b, t, -1))


def equivariance_error(f, x, perm):
    perm = torch.tensor(list(perm))
    back = torch.empty_like(perm)
    back[perm] = torch.arange(len(perm))
    return np.float64((f(x) - f(x[:, perm])[:, back]).abs().max().detach().numpy())


def is_permutation_equivariant(f, x, perm, tol=1e-5):
    return np.bool_(equivariance_error(f, x, perm) <= tol)


def add_positional(x):
    return x + sinusoidal_positional_encoding(*x.shape[1:]).type_as(x)  # noqa: F821


def positional_demo(layer, x, perm, tol=1e-5):
    return [bool(is_permutation_equivariant(layer, x, perm, tol)),
            bool(is_permutation_equivariant(lambda z: layer(add_positional(z)), x, perm, tol))]
