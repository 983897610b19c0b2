"""GuidedReLU.backward keeps the gradient where x >= 0 (not strictly positive)."""
HINT = "strict_at_zero"

import torch


class GuidedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x >= 0).to(grad_output.dtype) * (grad_output > 0).to(grad_output.dtype)
