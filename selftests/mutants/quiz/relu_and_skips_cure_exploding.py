"""Counts the cures for vanishing gradients (ReLU, residual connections) as cures for exploding ones."""
HINT = "vanishing_vs_exploding"
KEY_PARTS = ("answer_b",)


def answer_b():
    return {"i", "ii", "iii", "iv"}
