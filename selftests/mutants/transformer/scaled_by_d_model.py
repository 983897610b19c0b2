"""Scales the scores by 1/sqrt(d_model) instead of 1/sqrt(d_head)."""
HINT = "scaled_by_d_model"

import math

import torch


class TransformerLayer(TransformerLayer):  # noqa: F821
    def attention(self, x, mask=None):
        B, T, D = x.shape
        q, k, v = (p(x).reshape(B, T, self.n_heads, self.d_head).transpose(1, 2) for p in (self.W_q, self.W_k, self.W_v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_model)
        if mask is not None:
            scores = scores.masked_fill(~mask.bool()[:, None, None, :], float("-inf"))
        return (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, T, D)
