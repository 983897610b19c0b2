"""Floats instead of exact sympy (numpy float64 arrays for Parts A and B), numpy masks and a numpy
masked softmax (max-shifted, -inf fill), a torch-generator Monte Carlo."""
import math

import numpy as np
import torch


def _np_attention(Q, K, V, scale, allowed):
    S = np.asarray(Q, float) @ np.asarray(K, float).T * scale
    S = np.where(allowed(S.shape), S, -np.inf)
    W = np.exp(S - S.max(axis=1, keepdims=True))
    A = W / W.sum(axis=1, keepdims=True)
    return S, A, A @ np.asarray(V, float)


def _part_a():
    X = [[1, 0], [0, 1], [1, 1]]
    return _np_attention(X, X, X, 1 / math.sqrt(2), lambda shape: np.tri(*shape, dtype=bool))


def answer_causal_scores():
    return _part_a()[0]


def answer_causal_weights():
    return _part_a()[1]


def answer_causal_outputs():
    return _part_a()[2]


K_ = [[2, 0, 0], [3, -1, 0], [1, 0, 2]]
V_ = [[5, 4, 5], [3, 5, 5], [1, 2, 4]]
Q2 = [[2, -1, 3]]


def answer_step2_weights():
    return _np_attention(Q2, K_, V_, 1 / math.sqrt(3), lambda s: np.ones(s, bool))[1][0]        # 1D, 3 entries


def answer_step2_output():
    return _np_attention(Q2, K_, V_, 1 / math.sqrt(3), lambda s: np.ones(s, bool))[2][0]


def answer_step2_masked_output():
    return _np_attention(Q2, K_, V_, 1 / math.sqrt(3), lambda s: np.arange(3) < 2)[2].T   # (3, 1)


def causal_mask(T):
    return np.tril(np.ones((T, T), dtype=bool))


def padding_mask(lengths, T):
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]


def attention_mask(lengths, T, causal=True):
    pad = padding_mask(lengths, T)[:, None, None, :]
    full = pad & (causal_mask(T) if causal else np.ones((T, T), bool))
    return np.ascontiguousarray(np.broadcast_to(full, (len(pad), 1, T, T)))


def masked_softmax(scores, mask):
    s = np.asarray(scores)
    filled = np.where(np.asarray(mask), s, -np.inf)
    w = np.exp(filled - filled.max(axis=-1, keepdims=True))
    return (w / w.sum(axis=-1, keepdims=True)).astype(s.dtype)


def dot_moments_monte_carlo(mu, sigma, d, n_samples, seed):
    g = torch.Generator().manual_seed(seed)
    q = mu + sigma * torch.randn(n_samples, d, generator=g, dtype=torch.float64)
    k = mu + sigma * torch.randn(n_samples, d, generator=g, dtype=torch.float64)
    dots = (q * k).sum(dim=1)
    return dots.mean().item(), dots.var().item()
