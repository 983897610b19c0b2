"""Hands every parameter of the model to SGD, the frozen filters included."""
HINT = "optimizer_all_params"

import torch


def make_optimizer(model, lr, momentum=0.9, weight_decay=0.0):
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
