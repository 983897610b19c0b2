"""Believes backpropagation costs O(n^2) for O(n) parameters (every weight times every other)."""
HINT = "backprop_cost"
KEY_PARTS = ("answer_h",)


def answer_h():
    return {"i", "ii", "iv"}
