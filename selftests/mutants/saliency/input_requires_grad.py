"""Calls x.requires_grad_() on the caller's tensor instead of on a copy."""
HINT = "input_modified"

import copy

import torch


def guided_backprop(model, x, class_idx):
    guided = replace_relus(copy.deepcopy(model))
    x.requires_grad_(True)                           # bug: the caller's x changes
    (grad,) = torch.autograd.grad(guided(x)[:, class_idx].sum(), x)
    return grad
