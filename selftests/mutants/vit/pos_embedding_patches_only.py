"""The positional embedding has one vector per patch only, (1, N, dim), added to the patch tokens before the
class token is put in front."""
HINT = "pos_embedding_shape"

import torch
from torch import nn


class ViT(nn.Module):
    def __init__(self, image_size=28, patch_size=7, in_channels=1, n_classes=10, dim=64, depth=6, heads=8,
                 mlp_dim=128, dropout=0.0):
        super().__init__()
        n_patches = (image_size // patch_size) ** 2
        self.patch_embed = PatchEmbedding(patch_size, in_channels, dim)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.randn(1, n_patches, dim))
        self.layers = nn.ModuleList(PreLNLayer(dim, heads, mlp_dim, dropout) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, images):
        tokens = self.patch_embed(images) + self.pos_embedding
        z = torch.cat([self.cls_token.expand(tokens.shape[0], -1, -1), tokens], dim=1)
        for layer in self.layers:
            z = layer(z)
        return self.head(self.norm(z)[:, 0])
