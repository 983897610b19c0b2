"""Masked softmax with torch.where and the most negative finite value of the dtype (exp of it minus any
finite maximum is exactly 0), attention_mask built with broadcasting comparisons, a float32 torch Monte
Carlo from its own generator."""
import torch


def attention_mask(lengths, T, causal=True):
    j = torch.arange(T).view(1, 1, 1, T)
    i = torch.arange(T).view(1, 1, T, 1)
    keep = j < lengths.view(-1, 1, 1, 1)
    if causal:
        keep = keep & (j <= i)
    return keep & torch.ones(len(lengths), 1, T, T, dtype=torch.bool)


def masked_softmax(scores, mask):
    filled = torch.where(mask, scores, torch.tensor(torch.finfo(scores.dtype).min, dtype=scores.dtype))
    return torch.softmax(filled, dim=-1)


def dot_moments_monte_carlo(mu, sigma, d, n_samples, seed):
    g = torch.Generator().manual_seed(seed)
    q = torch.normal(mu, sigma, size=(n_samples, d), generator=g)
    k = torch.normal(mu, sigma, size=(n_samples, d), generator=g)
    dots = torch.einsum("nd,nd->n", q, k).double()
    return float(dots.mean()), float(dots.var())
