"""ViT.forward classifies the mean of all final token states instead of the class token's state."""
HINT = "mean_pooling"

import torch


def _forward(self, images):
    tokens = self.patch_embed(images)
    z = torch.cat([self.cls_token.expand(tokens.shape[0], -1, -1), tokens], dim=1) + self.pos_embedding
    for layer in self.layers:
        z = layer(z)
    return self.head(self.norm(z).mean(dim=1))


ViT.forward = _forward
