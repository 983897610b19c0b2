"""Believes scaling the weights changes a bias-free ReLU/max-pool CNN's predictions (only the input scale is harmless)."""
HINT = "homogeneous"
KEY_PARTS = ("answer_a",)


def answer_a():
    return {"iii"}
