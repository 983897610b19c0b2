"""ViT.forward feeds the class token's final state to the head without the final LayerNorm (which is built but
unused)."""
HINT = "no_final_norm"

import torch


def _forward(self, images):
    tokens = self.patch_embed(images)
    z = torch.cat([self.cls_token.expand(tokens.shape[0], -1, -1), tokens], dim=1) + self.pos_embedding
    for layer in self.layers:
        z = layer(z)
    return self.head(z[:, 0])


ViT.forward = _forward
