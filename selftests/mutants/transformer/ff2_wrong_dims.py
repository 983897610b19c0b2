"""Bug 4 left in: ff2 = nn.Linear(d_model, d_ff), as in the given code."""
HINT = "ff2_dims"

from torch import nn


class TransformerLayer(TransformerLayer):  # noqa: F821
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__(d_model, n_heads, d_ff)
        self.ff2 = nn.Linear(d_model, d_ff)
