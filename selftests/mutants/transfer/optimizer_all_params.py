"""Gives Adam every parameter of the model, the frozen ones included."""
HINT = "optimizer_all_params"

import torch


def make_optimizer(model, lr):
    return torch.optim.Adam(model.parameters(), lr=lr)
