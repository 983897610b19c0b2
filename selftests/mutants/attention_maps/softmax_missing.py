"""Returns the masked, scaled scores without the softmax."""
HINT = "softmax_missing"

import math

import torch


def attention_weights(attn, query, key, attn_mask=None, key_padding_mask=None):
    E, H = attn.embed_dim, attn.num_heads
    d = E // H
    w_q, w_k, _ = attn.in_proj_weight.detach().chunk(3)
    b_q, b_k, _ = attn.in_proj_bias.detach().chunk(3)
    B, L_q, L_k = query.shape[0], query.shape[1], key.shape[1]
    q = (query @ w_q.T + b_q).reshape(B, L_q, H, d).transpose(1, 2)
    k = (key @ w_k.T + b_k).reshape(B, L_k, H, d).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    if attn_mask is not None:
        scores = scores.masked_fill(attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else scores + attn_mask
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    return scores
