"""Believes a zero-initialised softmax classifier keeps all entries of W equal."""
HINT = "zero_init_symmetry"
KEY_PARTS = ("answer_c",)


def answer_c():
    return {"i", "iii", "iv"}
