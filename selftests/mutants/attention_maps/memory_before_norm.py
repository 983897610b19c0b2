"""Recomputes every layer by hand but hands the decoder the encoder output BEFORE model.encoder.norm."""
HINT = "memory_before_norm"

import torch
from torch import nn


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
        memory = x                                   # model.encoder.norm(x) forgotten
        causal = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
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
