"""Adds the head axis to a per-sequence mask with unsqueeze_ (in place), changing the caller's mask."""
HINT = "inputs_changed"


class MultiHeadAttention(MultiHeadAttention):  # noqa: F821
    def forward(self, query, key, value, mask=None):
        b, t_q, _ = query.shape
        t_k = key.shape[1]
        h, d_k = self.num_heads, self.d_k
        q = self.w_q(query).view(b, t_q, h, d_k).transpose(1, 2)
        k = self.w_k(key).view(b, t_k, h, d_k).transpose(1, 2)
        v = self.w_v(value).view(b, t_k, h, d_k).transpose(1, 2)
        if mask is not None and mask.dim() == 3:
            mask.unsqueeze_(1)
        out = self.attention(q, k, v, mask)
        return self.w_o(out.transpose(1, 2).reshape(b, t_q, self.d_model))
