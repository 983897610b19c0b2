"""Tests exact equality with torch.equal instead of comparing the deviation with tol."""
HINT = "exact_equality"

import torch


def is_permutation_equivariant(f, x, perm, tol=1e-5):
    with torch.no_grad():
        return torch.equal(f(x[:, perm]), f(x)[:, perm])
