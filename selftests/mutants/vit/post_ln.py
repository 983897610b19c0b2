"""A post-LN layer: LayerNorm after each residual addition (the original Transformer's order)."""
HINT = "post_ln"

from torch import nn


class PreLNLayer(nn.Module):
    def __init__(self, dim, heads, mlp_dim, dropout=0.0):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.drop1 = nn.Dropout(dropout)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(mlp_dim, dim), nn.Dropout(dropout))

    def forward(self, x):
        h = self.ln1(x + self.drop1(self.attn(x, x, x, need_weights=False)[0]))
        return self.ln2(h + self.mlp(h))
