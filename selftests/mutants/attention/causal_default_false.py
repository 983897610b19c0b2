"""Gives attention_mask the default causal=False (the task's default is True)."""
HINT = "causal_default"


def attention_mask(lengths, T, causal=False):
    keep = padding_mask(lengths, T)[:, None, None, :]
    if causal:
        keep = keep & causal_mask(T)[None, None]
    return keep.expand(lengths.shape[0], 1, T, T).clone()
