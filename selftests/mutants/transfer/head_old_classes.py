"""Builds the new head with the old layer's number of outputs instead of n_classes."""
HINT = "head_old_classes"

from torch import nn


def replace_head(model: nn.Module, n_classes: int, attr: str = "fc") -> nn.Linear:
    parent_name, _, name = attr.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    old = getattr(parent, name)
    head = nn.Linear(old.in_features, old.out_features)
    setattr(parent, name, head)
    return head
