"""patchify by F.unfold, a Conv2d patch embedding (stride = patch size), the layer as PyTorch's own
nn.TransformerEncoderLayer(norm_first=True), the ViT's parts built in another order (so its random initial
weights differ) with an nn.Sequential of layers, and a training loop that zeroes through the model and sums
the losses with reduction="sum"."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def patchify(images, patch_size):
    return F.unfold(images, patch_size, stride=patch_size).transpose(1, 2)


class PatchEmbedding(nn.Module):
    def __init__(self, patch_size, in_channels, dim):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, images):
        return self.conv(images).flatten(2).transpose(1, 2)


class PreLNLayer(nn.Module):
    def __init__(self, dim, heads, mlp_dim, dropout=0.0):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(dim, heads, mlp_dim, dropout=dropout, activation="gelu",
                                                batch_first=True, norm_first=True)

    def forward(self, x):
        return self.layer(x)


class ViT(nn.Module):
    def __init__(self, image_size=28, patch_size=7, in_channels=1, n_classes=10, dim=64, depth=6, heads=8,
                 mlp_dim=128, dropout=0.0):
        super().__init__()
        self.layers = nn.Sequential(*[PreLNLayer(dim, heads, mlp_dim, dropout) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)
        self.patch_embed = PatchEmbedding(patch_size, in_channels, dim)
        self.pos_embedding = nn.Parameter(torch.randn(1, (image_size // patch_size) ** 2 + 1, dim))
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))

    def forward(self, images):
        tokens = self.patch_embed(images)
        z = torch.cat([self.cls_token.repeat(len(tokens), 1, 1), tokens], dim=1) + self.pos_embedding
        return self.head(self.norm(self.layers(z))[:, 0])


def vit_param_count(image_size, patch_size, in_channels, n_classes, dim, depth, heads, mlp_dim):
    n = (image_size // patch_size) ** 2
    per_layer = 4 * dim + 4 * dim * (dim + 1) + 2 * dim * mlp_dim + mlp_dim + dim
    return (in_channels * patch_size * patch_size + 1) * dim + (n + 2) * dim + depth * per_layer \
        + 2 * dim + (dim + 1) * n_classes


def answer_seed_param_count():
    return vit_param_count(28, 7, 1, 10, 64, 6, 8, 128)


def evaluate(model, x, y, batch_size=256):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
        loss = F.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(1) == y).float().mean().item()
    return loss, accuracy


def train_vit(model, x_train, y_train, x_val, y_val, epochs=10, batch_size=32, lr=1e-3, seed=0):
    gen = torch.Generator()
    gen.manual_seed(seed)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True, generator=gen)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss(reduction="sum")
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for epoch in range(epochs):
        model.train()
        summed = 0.0
        for xb, yb in loader:
            model.zero_grad(set_to_none=True)
            loss = criterion(model(xb), yb)
            (loss / len(yb)).backward()
            optimizer.step()
            summed += loss.item()
        history["train_loss"].append(summed / len(x_train))
        vl, va = evaluate(model, x_val, y_val)
        history["val_loss"].append(vl)
        history["val_accuracy"].append(va)
    return history
