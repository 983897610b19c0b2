"""Records what each attention module receives (forward pre-hooks, fast path off) and recomputes the
weights with attention_weights, which calls the module itself with need_weights=True."""
import torch


def attention_weights(attn, query, key, attn_mask=None, key_padding_mask=None):
    q, k = query, key
    if not attn.batch_first:
        q, k = q.transpose(0, 1), k.transpose(0, 1)
    was_training = attn.training
    attn.eval()
    try:
        with torch.no_grad():
            _, w = attn(q, k, k, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=True,
                        average_attn_weights=False)
    finally:
        attn.train(was_training)
    return w


def extract_attention_maps(model, src, tgt, src_key_padding_mask=None, average_heads=False):
    pad = src_key_padding_mask
    T = tgt.shape[1]
    causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    plan = ([("encoder_self", l.self_attn, None, pad) for l in model.encoder.layers]
            + [("decoder_self", l.self_attn, causal, None) for l in model.decoder.layers]
            + [("decoder_cross", l.multihead_attn, None, pad) for l in model.decoder.layers])
    inputs = {}

    def record(module, args, kwargs):
        inputs[id(module)] = (args[0], args[1])

    fast = torch.backends.mha.get_fastpath_enabled()
    handles = []
    try:
        torch.backends.mha.set_fastpath_enabled(False)
        handles = [m.register_forward_pre_hook(record, with_kwargs=True) for _, m, _, _ in plan]
        with torch.no_grad():
            model(src, tgt, tgt_mask=causal, src_key_padding_mask=pad, memory_key_padding_mask=pad)
    finally:
        for h in handles:
            h.remove()
        torch.backends.mha.set_fastpath_enabled(fast)
    maps = {"encoder_self": [], "decoder_self": [], "decoder_cross": []}
    for kind, module, mask, padding in plan:
        q, k = inputs[id(module)]
        w = attention_weights(module, q, k, mask, padding)
        maps[kind].append(w.mean(dim=1) if average_heads else w)
    return maps
