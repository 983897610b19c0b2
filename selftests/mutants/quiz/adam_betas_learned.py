"""Believes Adam's beta parameters are learned by backpropagation."""
HINT = "hyperparameter_vs_parameter"
KEY_PARTS = ("answer_h",)


def answer_h():
    return {"ii", "iii", "iv"}
