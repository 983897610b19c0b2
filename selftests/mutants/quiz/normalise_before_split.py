"""Believes normalisation statistics are computed on the whole data set before splitting it."""
HINT = "normalisation_leak"
KEY_PARTS = ("answer_d",)


def answer_d():
    return {"ii", "iv"}
