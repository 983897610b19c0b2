"""Believes an all-zero image gives uniform class probabilities (forgets the biases)."""
HINT = "zero_image_bias"
KEY_PARTS = ("answer_d",)


def answer_d():
    return {"i", "ii"}
