"""Builds both layers' LayerNorms with eps=1e-6 (as in ViT code) instead of the default 1e-5."""
HINT = "ln_eps"

from torch import nn


class TransformerLayer(TransformerLayer):  # noqa: F821
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__(d_model, n_heads, d_ff)
        self.ln1, self.ln2 = nn.LayerNorm(d_model, eps=1e-6), nn.LayerNorm(d_model, eps=1e-6)


class PreLNTransformerLayer(PreLNTransformerLayer):  # noqa: F821
    def __init__(self, d_model, n_heads, d_ff, dropout=0.1):
        super().__init__(d_model, n_heads, d_ff, dropout)
        self.ln1, self.ln2 = nn.LayerNorm(d_model, eps=1e-6), nn.LayerNorm(d_model, eps=1e-6)
