"""Broadcasts the padding mask over the keys instead of the queries: (B, 1, T, 1) masks padded queries."""
HINT = "padding_on_queries"


def attention_mask(lengths, T, causal=True):
    keep = padding_mask(lengths, T)[:, None, :, None]
    if causal:
        keep = keep & causal_mask(T)[None, None]
    return keep.expand(lengths.shape[0], 1, T, T).clone()
