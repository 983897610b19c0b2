"""Stops at the trough of validation accuracy instead of its peak."""
HINT = "early_stopping_peak"
KEY_PARTS = ("answer_g",)


def answer_g():
    return {"i", "iii", "iv"}
