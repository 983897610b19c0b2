"""Checks invariance, f(x[:, perm]) == f(x), instead of equivariance."""
HINT = "invariance"


def equivariance_error(f, x, perm):
    return (f(x[:, perm]) - f(x)).abs().max().item()
