"""Fills masked scores with 0 instead of -inf (as in the buggy encoder layer of the problem set)."""
HINT = "mask_zero"


def answer_causal_scores():
    X = sympy.Matrix([[1, 0], [0, 1], [1, 1]])
    S = X * X.T / sympy.sqrt(2)
    return sympy.Matrix(3, 3, lambda i, j: S[i, j] if j <= i else 0)


def masked_softmax(scores, mask):
    return torch.softmax(scores.masked_fill(~mask, 0.0), dim=-1)
