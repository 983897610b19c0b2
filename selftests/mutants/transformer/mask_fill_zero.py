"""Bug 2 left in: masked scores are set to 0 (mask correctly reshaped), so padded keys keep weight."""
HINT = "mask_fill_zero"

import math

import torch


class TransformerLayer(TransformerLayer):  # noqa: F821
    def attention(self, x, mask=None):
        B, T, D = x.shape
        q, k, v = (p(x).reshape(B, T, self.n_heads, self.d_head).transpose(1, 2) for p in (self.W_q, self.W_k, self.W_v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)
        if mask is not None:
            scores = scores.masked_fill(mask[:, None, None, :] == 0, 0.0)
        return (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, T, D)
