"""Removes its hooks and restores the fast path only when the forward pass succeeds (no try/finally)."""
HINT = "hooks_left"

import torch
from torch import nn
def extract_attention_maps(model, src, tgt, src_key_padding_mask=None, average_heads=False):
    captured = {}
    def ask(module, args, kwargs):
        kwargs["need_weights"] = True
        kwargs["average_attn_weights"] = False
        return args, kwargs
    def keep(module, args, kwargs, output):
        captured[module] = output[1].detach()
    attention = ([("encoder_self", l.self_attn) for l in model.encoder.layers]
                 + [("decoder_self", l.self_attn) for l in model.decoder.layers]
                 + [("decoder_cross", l.multihead_attn) for l in model.decoder.layers])
    fast = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    handles = []
    for _, m in attention:
        handles.append(m.register_forward_pre_hook(ask, with_kwargs=True))
        handles.append(m.register_forward_hook(keep, with_kwargs=True))
    causal = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
    with torch.no_grad():
        model(src, tgt, tgt_mask=causal, src_key_padding_mask=src_key_padding_mask,
              memory_key_padding_mask=src_key_padding_mask)
    for h in handles:
        h.remove()
    torch.backends.mha.set_fastpath_enabled(fast)
    maps = {"encoder_self": [], "decoder_self": [], "decoder_cross": []}
    for kind, m in attention:
        w = captured[m]
        maps[kind].append(w.mean(dim=1) if average_heads else w)
    return maps
