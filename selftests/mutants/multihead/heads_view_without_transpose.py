"""Splits the heads with view(B, h, T, d_k) straight away, which mixes the features of different
tokens; the merge (transpose, then reshape) looks right."""
HINT = "head_order"


class MultiHeadAttention(MultiHeadAttention):  # noqa: F821 (the solution's class, defined above)
    def forward(self, query, key, value, mask=None):
        b, t_q, _ = query.shape
        t_k = key.shape[1]
        h, d_k = self.num_heads, self.d_k
        q = self.w_q(query).view(b, h, t_q, d_k)
        k = self.w_k(key).view(b, h, t_k, d_k)
        v = self.w_v(value).view(b, h, t_k, d_k)
        if mask is not None and mask.dim() == 3:
            mask = mask.unsqueeze(1)
        out = self.attention(q, k, v, mask)
        return self.w_o(out.transpose(1, 2).reshape(b, t_q, self.d_model))
