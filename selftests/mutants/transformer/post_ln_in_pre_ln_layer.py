"""The "pre-LN" layer still normalises after each residual addition (post-LN), dropout in the right places."""
HINT = "norm_order_pre"

import torch.nn.functional as F


class PreLNTransformerLayer(PreLNTransformerLayer):  # noqa: F821
    def forward(self, x, mask=None):
        x = self.ln1(x + self.drop_attn(self.W_o(self.attention(x, mask))))
        hidden = self.drop_hidden(F.relu(self.ff1(x)))
        return self.ln2(x + self.drop_ffn(self.ff2(hidden)))
