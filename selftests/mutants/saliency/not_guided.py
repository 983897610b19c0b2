"""Computes the plain input gradient: the ReLUs are never swapped."""
HINT = "not_guided"

import torch


def guided_backprop(model, x, class_idx):
    inputs = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(inputs)[:, class_idx].sum(), inputs)
    return grad
