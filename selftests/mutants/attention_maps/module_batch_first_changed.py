"""Sets attn.batch_first = True to call the module batch-first, and leaves it changed."""
HINT = "module_changed"

def attention_weights(attn, query, key, attn_mask=None, key_padding_mask=None):
    attn.batch_first = True
    _, w = attn(query, key, key, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=True,
                average_attn_weights=False)
    return w
