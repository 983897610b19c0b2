"""Correct, written differently: TransformerLayer through F.scaled_dot_product_attention with a boolean
(B, 1, 1, T) mask (True = may attend); the pre-LN layer fills masked scores with the dtype's most
negative finite number and reuses ONE nn.Dropout module for all three dropouts (same random draws, in
the same order)."""
import math

import torch
import torch.nn.functional as F
from torch import nn


class TransformerLayer(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.h = n_heads
        self.W_q = nn.Linear(d_model, d_model, bias=False)
        self.W_k = nn.Linear(d_model, d_model, bias=False)
        self.W_v = nn.Linear(d_model, d_model, bias=False)
        self.W_o = nn.Linear(d_model, d_model)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)
        self.ln1 = nn.LayerNorm(d_model)
        self.ln2 = nn.LayerNorm(d_model)

    def forward(self, x, mask=None):
        B, T, D = x.shape
        q, k, v = (w(x).unflatten(-1, (self.h, D // self.h)).permute(0, 2, 1, 3) for w in (self.W_q, self.W_k, self.W_v))
        keep = None if mask is None else mask.view(B, 1, 1, T)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=keep).permute(0, 2, 1, 3).flatten(2)
        h = self.ln1(x + self.W_o(a))
        return self.ln2(h + self.ff2(F.relu(self.ff1(h))))


class PreLNTransformerLayer(TransformerLayer):
    def __init__(self, d_model, n_heads, d_ff, dropout=0.1):
        super().__init__(d_model, n_heads, d_ff)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        B, T, D = x.shape
        y = self.ln1(x)
        dh = D // self.h
        q, k, v = (w(y).view(B, T, self.h, dh).transpose(1, 2) for w in (self.W_q, self.W_k, self.W_v))
        s = q @ k.transpose(-1, -2) / math.sqrt(dh)
        if mask is not None:
            s = s.masked_fill(~mask[:, None, None, :], torch.finfo(s.dtype).min)
        a = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.drop(self.W_o(a))
        return x + self.drop(self.ff2(self.drop(F.relu(self.ff1(self.ln2(x))))))
