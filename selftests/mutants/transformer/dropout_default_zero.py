"""Gives the pre-LN layer's dropout parameter the default 0.0 instead of 0.1 (right when p is passed)."""
HINT = "dropout_default"


class PreLNTransformerLayer(PreLNTransformerLayer):  # noqa: F821
    def __init__(self, d_model, n_heads, d_ff, dropout=0.0):
        super().__init__(d_model, n_heads, d_ff, dropout)
