"""Believes early stopping increases the model's variance."""
HINT = "early_stopping_variance"
KEY_PARTS = ("answer_g",)


def answer_g():
    return {"i", "ii", "iv"}
