"""Correct, written differently: einsum attention with an additive mask, functional LayerNorm and dropout,
the heads kept as a separate axis of the projection weights; factored formulas and literal answers."""
import math

import sympy
import torch
import torch.nn.functional as F
from torch import nn


def _attend(layer, x, mask):
    B, T, D = x.shape
    H, dh = layer.n_heads, D // layer.n_heads
    q = torch.einsum("btd,hed->bhte", x, layer.W_q.weight.view(H, dh, D))
    k = torch.einsum("btd,hed->bhte", x, layer.W_k.weight.view(H, dh, D))
    v = torch.einsum("btd,hed->bhte", x, layer.W_v.weight.view(H, dh, D))
    scores = torch.einsum("bhqe,bhke->bhqk", q, k) * dh ** -0.5
    if mask is not None:
        scores = scores + torch.where(mask, 0.0, -1e9).to(scores.dtype).view(B, 1, 1, T)
    out = torch.einsum("bhqk,bhke->bqhe", scores.softmax(-1), v)
    return out.reshape(B, T, D)


class TransformerLayer(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.n_heads = n_heads
        self.W_q, self.W_k, self.W_v = (nn.Linear(d_model, d_model, bias=False) for _ in range(3))
        self.W_o = nn.Linear(d_model, d_model)
        self.ff1, self.ff2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)

    def forward(self, x, mask=None):
        D = x.shape[-1]
        h = F.layer_norm(x + self.W_o(_attend(self, x, mask)), (D,), self.ln1.weight, self.ln1.bias)
        f = F.linear(F.linear(h, self.ff1.weight, self.ff1.bias).clamp_min(0), self.ff2.weight, self.ff2.bias)
        return F.layer_norm(h + f, (D,), self.ln2.weight, self.ln2.bias)


class PreLNTransformerLayer(TransformerLayer):
    def __init__(self, d_model, n_heads, d_ff, dropout=0.1):
        super().__init__(d_model, n_heads, d_ff)
        self.p = dropout

    def forward(self, x, mask=None):
        p, train = self.p, self.training
        x = x + F.dropout(self.W_o(_attend(self, self.ln1(x), mask)), p, train)
        hidden = F.dropout(torch.relu(self.ff1(self.ln2(x))), p, train)
        return x + F.dropout(self.ff2(hidden), p, train)


def param_count_formula():
    Dm, F_ = sympy.symbols("D d_ff")
    return Dm * (4 * Dm + 2 * F_ + 6) + F_


def param_count_formula_all_biases():
    Dm, F_ = sympy.symbols("D d_ff")
    return Dm * (4 * Dm + 2 * F_ + 9) + F_


def answer_param_count_128_512():
    return 197888


def answer_param_count_all_biases_128_512():
    return 198272.0
