"""Believes subtracting the channel means at inference keeps a bias-free CNN's accuracy, like a scaling does."""
HINT = "shift_not_scale"
KEY_PARTS = ("answer_a",)


def answer_a():
    return {"I", "III", "IV"}
