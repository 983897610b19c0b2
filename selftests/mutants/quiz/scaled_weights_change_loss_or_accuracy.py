"""Doubts that 3W keeps the accuracy and lowers the cross-entropy of a perfect softmax classifier (the seed's printed answer)."""
HINT = "scaled_logits"
KEY_PARTS = ("answer_c",)


def answer_c():
    return {"iv"}
