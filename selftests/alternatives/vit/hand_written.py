"""Attention written by hand (separate query, key, value and output nn.Linear layers, an explicit scaled softmax),
patchify by unfold along both axes, the embedding as nn.Linear on patchify's rows, evaluation through a
non-shuffling DataLoader, the epoch's training loss as the plain mean of the batch losses, and a pyplot figure."""
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def patchify(images, patch_size):
    p = patch_size
    B, C = images.shape[:2]
    t = images.unfold(2, p, p).unfold(3, p, p)        # B, C, H/p, W/p, p, p
    t = t.permute(0, 2, 3, 1, 4, 5).contiguous()
    return t.view(B, t.shape[1] * t.shape[2], C * p * p)


class PatchEmbedding(nn.Module):
    def __init__(self, patch_size, in_channels, dim):
        super().__init__()
        self.p = patch_size
        self.linear = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, images):
        return self.linear(patchify(images, self.p))


class PreLNLayer(nn.Module):
    def __init__(self, dim, heads, mlp_dim, dropout=0.0):
        super().__init__()
        self.heads = heads
        self.norm_a = nn.LayerNorm(dim)
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))
        self.norm_m = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, mlp_dim)
        self.fc2 = nn.Linear(mlp_dim, dim)
        self.act = nn.GELU()
        self.drops = nn.ModuleList(nn.Dropout(dropout) for _ in range(3))

    def forward(self, x):
        B, T, D = x.shape
        d = D // self.heads
        y = self.norm_a(x)
        q, k, v = (f(y).view(B, T, self.heads, d).transpose(1, 2) for f in (self.q, self.k, self.v))
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
        att = (weights @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.drops[0](self.o(att))
        return x + self.drops[2](self.fc2(self.drops[1](self.act(self.fc1(self.norm_m(x))))))


class ViT(nn.Module):
    def __init__(self, image_size=28, patch_size=7, in_channels=1, n_classes=10, dim=64, depth=6, heads=8,
                 mlp_dim=128, dropout=0.0):
        super().__init__()
        n = (image_size // patch_size) ** 2
        self.patch_embed = PatchEmbedding(patch_size, in_channels, dim)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.randn(1, n + 1, dim))
        self.layers = nn.ModuleList([PreLNLayer(dim, heads, mlp_dim, dropout) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, images):
        x = self.patch_embed(images)
        x = torch.cat((self.cls_token.expand(x.size(0), 1, x.size(2)), x), dim=1)
        x = x + self.pos_embedding
        for blk in self.layers:
            x = blk(x)
        x = self.norm(x)
        return self.head(x[:, 0, :])


def vit_param_count(image_size, patch_size, in_channels, n_classes, dim, depth, heads, mlp_dim):
    tokens = (image_size // patch_size) ** 2 + 1
    attention = 4 * (dim * dim + dim)
    mlp = dim * mlp_dim + mlp_dim + mlp_dim * dim + dim
    norms = 2 * (2 * dim)
    embed = in_channels * patch_size ** 2 * dim + dim
    return embed + tokens * dim + dim + depth * (attention + mlp + norms) + 2 * dim + dim * n_classes + n_classes


def answer_seed_param_count():
    return 205962


def evaluate(model, x, y, batch_size=256):
    model.eval()
    loss_sum, hits = 0.0, 0
    with torch.no_grad():
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=batch_size):
            out = model(xb)
            loss_sum += nn.functional.cross_entropy(out, yb, reduction="sum").item()
            hits += (out.argmax(-1) == yb).sum().item()
    return loss_sum / len(y), hits / len(y)


def train_vit(model, x_train, y_train, x_val, y_val, epochs=10, batch_size=32, lr=1e-3, seed=0):
    data = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                      generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    ce = nn.CrossEntropyLoss()
    train_loss, val_loss, val_acc = [], [], []
    for _ in range(epochs):
        model.train()
        batch_losses = []
        for xb, yb in data:
            opt.zero_grad()
            loss = ce(model(xb), yb)
            loss.backward()
            opt.step()
            batch_losses.append(loss.item())
        train_loss.append(sum(batch_losses) / len(batch_losses))
        l, a = evaluate(model, x_val, y_val)
        val_loss.append(l)
        val_acc.append(a)
    return {"train_loss": train_loss, "val_loss": val_loss, "val_accuracy": val_acc}


def plot_history(history, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    epochs = range(1, len(history["train_loss"]) + 1)
    ax.plot(epochs, history["train_loss"], label="train")
    ax.plot(epochs, history["val_loss"], label="validation")
    ax.legend()
    plt.savefig(path)
    plt.close(fig)
    return str(path)
