"""Ends the forward pass with a softmax (probabilities instead of raw scores)."""
HINT = "forward_softmax"

import torch


def _forward(self, x):
    return torch.softmax(self.classifier(self.features(x).flatten(1)), dim=1)


CNN.forward = _forward
