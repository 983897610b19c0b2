"""Switches the fast path back ON at the end, instead of restoring the setting it found."""
HINT = "fastpath_not_restored"

import torch
_orig = extract_attention_maps  # noqa: F821


def extract_attention_maps(model, src, tgt, src_key_padding_mask=None, average_heads=False):
    out = _orig(model, src, tgt, src_key_padding_mask, average_heads)
    torch.backends.mha.set_fastpath_enabled(True)
    return out
