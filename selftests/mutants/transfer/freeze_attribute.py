"""Sets an attribute on the module (module.requires_grad = False) instead of freezing its parameters: nothing is
frozen, so the pretrained backbone trains along with the head."""
HINT = "freeze_no_effect"

from torch import nn


def freeze(module: nn.Module) -> nn.Module:
    module.requires_grad = False
    return module
