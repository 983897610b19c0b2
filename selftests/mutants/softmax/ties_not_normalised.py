"""Marks every tied maximum with 1 but forgets to share the probability among them."""
HINT = "ties_not_normalised"


def softmax_limit_cold(z):
    return (z == z.max(dim=-1, keepdim=True).values).to(z.dtype)


def answer_cold_limit_tie():
    return (1, 0, 1)
