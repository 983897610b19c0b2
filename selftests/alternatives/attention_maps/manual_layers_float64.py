"""Replays nn.Transformer's forward pass layer by layer (post-LN and pre-LN), calling each attention
module with need_weights=True; attention_weights with einsum in float64; plotting with pyplot."""
import math

import torch
from torch import nn


def attention_weights(attn, query, key, attn_mask=None, key_padding_mask=None):
    E, H = attn.embed_dim, attn.num_heads
    d = E // H
    W = attn.in_proj_weight.detach().double()
    bias = attn.in_proj_bias.detach().double()
    q = torch.einsum("ble,fe->blf", query.double(), W[:E]) + bias[:E]
    k = torch.einsum("ble,fe->blf", key.double(), W[E:2 * E]) + bias[E:2 * E]
    q = q.unflatten(-1, (H, d))
    k = k.unflatten(-1, (H, d))
    scores = torch.einsum("bihd,bjhd->bhij", q, k) / math.sqrt(d)
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = torch.where(attn_mask, torch.tensor(float("-inf"), dtype=scores.dtype), scores)
        else:
            scores = scores + attn_mask.double()
    if key_padding_mask is not None:
        scores = torch.where(key_padding_mask[:, None, None, :], torch.tensor(float("-inf"), dtype=scores.dtype),
                             scores)
    scores = scores - scores.amax(dim=-1, keepdim=True)
    e = scores.exp()
    return (e / e.sum(dim=-1, keepdim=True)).float()


def _ff(layer, x):
    return layer.linear2(layer.activation(layer.linear1(x)))


def extract_attention_maps(model, src, tgt, src_key_padding_mask=None, average_heads=False):
    pad = src_key_padding_mask
    opts = dict(need_weights=True, average_attn_weights=False)
    maps = {"encoder_self": [], "decoder_self": [], "decoder_cross": []}
    with torch.no_grad():
        x = src
        for layer in model.encoder.layers:
            h = layer.norm1(x) if layer.norm_first else x
            a, w = layer.self_attn(h, h, h, key_padding_mask=pad, **opts)
            maps["encoder_self"].append(w)
            if layer.norm_first:
                x = x + a
                x = x + _ff(layer, layer.norm2(x))
            else:
                x = layer.norm1(x + a)
                x = layer.norm2(x + _ff(layer, x))
        memory = model.encoder.norm(x) if model.encoder.norm is not None else x
        T = tgt.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        y = tgt
        for layer in model.decoder.layers:
            h = layer.norm1(y) if layer.norm_first else y
            a, w = layer.self_attn(h, h, h, attn_mask=causal, **opts)
            maps["decoder_self"].append(w)
            y = y + a if layer.norm_first else layer.norm1(y + a)
            h = layer.norm2(y) if layer.norm_first else y
            a, w = layer.multihead_attn(h, memory, memory, key_padding_mask=pad, **opts)
            maps["decoder_cross"].append(w)
            y = y + a if layer.norm_first else layer.norm2(y + a)
            y = y + _ff(layer, layer.norm3(y)) if layer.norm_first else layer.norm3(y + _ff(layer, y))
    if average_heads:
        maps = {k: [m.mean(dim=1) for m in v] for k, v in maps.items()}
    return maps


def plot_attention_maps(maps, path, *, query_tokens=None, key_tokens=None, title=None, cmap="viridis"):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    layers = len(maps)
    heads = maps[0].shape[0] if maps[0].dim() == 3 else 1
    fig, axes = plt.subplots(layers, heads, figsize=(3 * heads, 3 * layers), squeeze=False)
    for l, m in enumerate(maps):
        m = m if m.dim() == 3 else m[None]
        for h in range(heads):
            ax = axes[l, h]
            ax.imshow(m[h].detach().float().numpy(), vmin=0, vmax=1, cmap=cmap, aspect="auto")
            ax.set_title(f"L{l + 1} H{h + 1}" if maps[0].dim() == 3 else f"L{l + 1}")
            if key_tokens is not None:
                ax.set_xticks(list(range(len(key_tokens))))
                ax.set_xticklabels(key_tokens, rotation=45)
            if query_tokens is not None:
                ax.set_yticks(list(range(len(query_tokens))))
                ax.set_yticklabels(query_tokens)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
    return fig
