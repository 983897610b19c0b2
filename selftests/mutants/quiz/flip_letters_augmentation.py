"""Believes random horizontal and vertical flips are a good augmentation for handwritten letters."""
HINT = "flip_labels"
KEY_PARTS = ("answer_c",)


def answer_c():
    return {"ii", "iii", "iv"}
