"""Multi-head attention scales every head's scores by sqrt(d_model) instead of sqrt(d_k)."""
HINT = "scale_d_model"

import math


class MultiHeadAttention(MultiHeadAttention):  # noqa: F821
    def forward(self, query, key, value, mask=None):
        b, t_q, _ = query.shape
        t_k = key.shape[1]
        h, d_k = self.num_heads, self.d_k
        q = self.w_q(query).view(b, t_q, h, d_k).transpose(1, 2)
        k = self.w_k(key).view(b, t_k, h, d_k).transpose(1, 2)
        v = self.w_v(value).view(b, t_k, h, d_k).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_model)
        if mask is not None:
            scores = scores.masked_fill(~(mask.unsqueeze(1) if mask.dim() == 3 else mask), float("-inf"))
        out = self.attention.dropout(self.attention.softmax(scores)) @ v
        return self.w_o(out.transpose(1, 2).reshape(b, t_q, self.d_model))
