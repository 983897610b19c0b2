"""Believes inverted dropout multiplies by p at test time (that is plain, non-inverted dropout)."""
HINT = "inverted_dropout"
KEY_PARTS = ("answer_e",)


def answer_e():
    return {"i"}
