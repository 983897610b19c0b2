"""Drops out the attention weights instead of the attention sublayer's output (other two in place)."""
HINT = "dropout_place"

import math

import torch
import torch.nn.functional as F


class PreLNTransformerLayer(PreLNTransformerLayer):  # noqa: F821
    def attention(self, x, mask=None):
        B, T, D = x.shape
        q, k, v = (p(x).reshape(B, T, self.n_heads, self.d_head).transpose(1, 2) for p in (self.W_q, self.W_k, self.W_v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)
        if mask is not None:
            scores = scores.masked_fill(~mask.bool()[:, None, None, :], float("-inf"))
        weights = self.drop_attn(torch.softmax(scores, dim=-1))
        return (weights @ v).transpose(1, 2).reshape(B, T, D)

    def forward(self, x, mask=None):
        x = x + self.W_o(self.attention(self.ln1(x), mask))
        hidden = self.drop_hidden(F.relu(self.ff1(self.ln2(x))))
        return x + self.drop_ffn(self.ff2(hidden))
