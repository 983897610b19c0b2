"""Hand-written dropout: inverted dropout in train mode (right), but multiplies by (1 - p) in eval mode."""
HINT = "eval_dropout_scaled"

import torch
import torch.nn.functional as F


class PreLNTransformerLayer(PreLNTransformerLayer):  # noqa: F821
    def __init__(self, d_model, n_heads, d_ff, dropout=0.1):
        super().__init__(d_model, n_heads, d_ff, dropout)
        self.p = dropout
    def _drop(self, t):
        if self.training:
            return F.dropout(t, self.p, True)
        return t * (1 - self.p)
    def forward(self, x, mask=None):
        x = x + self._drop(self.W_o(self.attention(self.ln1(x), mask)))
        hidden = self._drop(F.relu(self.ff1(self.ln2(x))))
        return x + self._drop(self.ff2(hidden))
