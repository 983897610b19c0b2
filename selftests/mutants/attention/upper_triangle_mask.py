"""Masks the wrong triangle: keeps j >= i (the future) instead of j <= i."""
HINT = "wrong_triangle"


def answer_causal_scores():
    X = sympy.Matrix([[1, 0], [0, 1], [1, 1]])
    S = X * X.T / sympy.sqrt(2)
    return sympy.Matrix(3, 3, lambda i, j: S[i, j] if j >= i else -sympy.oo)


def causal_mask(T):
    return torch.triu(torch.ones(T, T, dtype=torch.bool))
