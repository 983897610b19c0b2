"""Bug 5 left in: ln1 and ln2 are nn.LayerNorm(d_ff), as in the given code."""
HINT = "ln_dims"

from torch import nn


class TransformerLayer(TransformerLayer):  # noqa: F821
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__(d_model, n_heads, d_ff)
        self.ln1 = nn.LayerNorm(d_ff)
        self.ln2 = nn.LayerNorm(d_ff)
