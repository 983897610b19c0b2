"""Permutes the output with the inverse permutation: compares f(x[:, perm]) with f(x)[:, argsort(perm)]."""
HINT = "inverse_permutation"

import torch


def equivariance_error(f, x, perm):
    perm = torch.as_tensor(perm)
    inverse = torch.argsort(perm)
    return (f(x[:, perm]) - f(x)[:, inverse]).abs().max().item()
