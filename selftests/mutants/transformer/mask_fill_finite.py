"""Fills the masked scores with -1e4 (a common finite stand-in for -inf): padded keys take the weight when
every real score is below that."""
HINT = "mask_fill_finite"

import math
import torch


class TransformerLayer(TransformerLayer):  # noqa: F821
    def attention(self, x, mask=None):
        B, T, D = x.shape
        q, k, v = (p(x).reshape(B, T, self.n_heads, self.d_head).transpose(1, 2) for p in (self.W_q, self.W_k, self.W_v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)
        if mask is not None:
            scores = scores.masked_fill(mask[:, None, None, :] == 0, -1e4)
        return (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, T, D)
