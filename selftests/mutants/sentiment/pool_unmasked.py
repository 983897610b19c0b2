"""TransformerClassifier masks the padding in the attention but averages the encoder's outputs over all T
positions, padding included."""
HINT = "pool_unmasked"

import torch


class TransformerClassifier(TransformerClassifier):  # noqa: F821
    def forward(self, ids, lengths):
        T = ids.shape[1]
        padding = torch.arange(T)[None, :] >= lengths[:, None]
        h = self.embedding(ids) + self.position(torch.arange(T))[None]
        h = self.encoder(h, src_key_padding_mask=padding)
        return self.fc(h.mean(dim=1))
