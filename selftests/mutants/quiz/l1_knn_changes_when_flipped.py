"""Believes flipping every image changes L1 nearest neighbours."""
HINT = "l1_permutation"
KEY_PARTS = ("answer_c",)


def answer_c():
    return {"iii"}
