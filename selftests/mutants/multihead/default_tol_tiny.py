"""Gives is_permutation_equivariant the default tol=1e-9 (the task's default is 1e-5)."""
HINT = "tol_default"


def is_permutation_equivariant(f, x, perm, tol=1e-9):
    return equivariance_error(f, x, perm) <= tol  # noqa: F821
