"""Calls F.dropout without training=self.training, so dropout stays on in eval mode."""
HINT = "dropout_in_eval"

import torch.nn.functional as F


class PreLNTransformerLayer(PreLNTransformerLayer):  # noqa: F821
    def __init__(self, d_model, n_heads, d_ff, dropout=0.1):
        super().__init__(d_model, n_heads, d_ff, dropout)
        self.p = dropout

    def forward(self, x, mask=None):
        x = x + F.dropout(self.W_o(self.attention(self.ln1(x), mask)), self.p)
        hidden = F.dropout(F.relu(self.ff1(self.ln2(x))), self.p)
        return x + F.dropout(self.ff2(hidden), self.p)
