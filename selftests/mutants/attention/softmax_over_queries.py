"""Takes the softmax over the wrong axis: over the queries (columns of A sum to 1) instead of the keys."""
HINT = "softmax_axis"


def answer_causal_weights():
    E = answer_causal_scores().applyfunc(sympy.exp)
    return sympy.Matrix(3, 3, lambda i, j: E[i, j] / sum(E.col(j)))


def masked_softmax(scores, mask):
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-2)
