"""Forgets that momentum stores a velocity per parameter."""
HINT = "momentum_state"
KEY_PARTS = ("answer_f",)


def answer_f():
    return {"ii"}
