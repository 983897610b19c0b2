"""Replaces only the ReLUs that are direct children of the model (named_children, no recursion)."""
HINT = "nested_not_swapped"

from torch import nn


def replace_relus(model):
    for name, child in model.named_children():
        if isinstance(child, nn.ReLU):
            setattr(model, name, GuidedReLUModule())
    return model
