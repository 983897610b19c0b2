"""nn.MultiheadAttention built without batch_first=True, fed (B, T, D): it attends across the batch."""
HINT = "batch_first"

from torch import nn


class PreLNLayer(nn.Module):
    def __init__(self, dim, heads, mlp_dim, dropout=0.0):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads)
        self.drop1 = nn.Dropout(dropout)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(mlp_dim, dim), nn.Dropout(dropout))

    def forward(self, x):
        y = self.ln1(x)
        h = x + self.drop1(self.attn(y, y, y, need_weights=False)[0])
        return h + self.mlp(self.ln2(h))
