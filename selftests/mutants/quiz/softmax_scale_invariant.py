"""Believes softmax(c y) = softmax(y) for any c (confuses scaling with shifting)."""
HINT = "softmax_scale"
KEY_PARTS = ("answer_d",)


def answer_d():
    return {"ii", "iii"}
