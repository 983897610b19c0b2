"""Switches off requires_grad on the caller's model parameters (only the input gradient is needed)."""
HINT = "params_frozen"

import copy

import torch


def guided_backprop(model, x, class_idx):
    for p in model.parameters():
        p.requires_grad_(False)                    # bug: changes the caller's model
    guided = replace_relus(copy.deepcopy(model))
    inputs = x.detach().clone().requires_grad_(True)
    guided(inputs)[:, class_idx].sum().backward()
    return inputs.grad
