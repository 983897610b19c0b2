"""GuidedReLU.backward keeps the positive part of the incoming gradient only (the deconvnet rule)."""
HINT = "deconvnet"

import torch


class GuidedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.clamp(min=0)
