"""Writes the pre-LN layer's first residual update in place (x += ...), changing the caller's input."""
HINT = "input_modified"

import torch.nn.functional as F


class PreLNTransformerLayer(PreLNTransformerLayer):  # noqa: F821
    def forward(self, x, mask=None):
        x += self.drop_attn(self.W_o(self.attention(self.ln1(x), mask)))
        hidden = self.drop_hidden(F.relu(self.ff1(self.ln2(x))))
        return x + self.drop_ffn(self.ff2(hidden))
