"""ViT.forward never adds the positional embedding (the parameter exists but is unused)."""
HINT = "pos_embedding_missing"

import torch


def _forward(self, images):
    tokens = self.patch_embed(images)
    z = torch.cat([self.cls_token.expand(tokens.shape[0], -1, -1), tokens], dim=1)
    for layer in self.layers:
        z = layer(z)
    return self.head(self.norm(z)[:, 0])


ViT.forward = _forward
