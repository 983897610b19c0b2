"""Replaces AlexNet's last layer first and freezes the model afterwards: the new head is frozen too, so nothing
can train."""
HINT = "head_frozen"

from torch import nn


def load_alexnet(weights="DEFAULT", n_classes: int = 2) -> nn.Module:
    import torchvision

    model = torchvision.models.alexnet(weights=weights)
    replace_head(model, n_classes, "classifier.6")
    freeze(model)
    return model
