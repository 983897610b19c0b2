"""Ends forward with a softmax, so nn.CrossEntropyLoss gets probabilities and applies a second softmax."""
HINT = "forward_softmax"

import torch


def _forward(self, x):
    scores = self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))
    return torch.softmax(scores, dim=1)


ManualCNN.forward = _forward
