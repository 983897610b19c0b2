"""Lists each kind's layers last layer first."""
HINT = "layer_order"

_extract_in_order = extract_attention_maps


def extract_attention_maps(model, src, tgt, src_key_padding_mask=None, average_heads=False):
    maps = _extract_in_order(model, src, tgt, src_key_padding_mask, average_heads)
    return {kind: list(reversed(layers)) for kind, layers in maps.items()}
