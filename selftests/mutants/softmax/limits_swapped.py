"""Swaps the limits: uniform as T -> 0+, concentrated on the maxima as T -> oo."""
HINT = "limits_swapped"


def softmax_limit_cold(z):
    return torch.full_like(z, 1.0 / z.shape[-1])


def softmax_limit_hot(z):
    is_max = (z == z.max(dim=-1, keepdim=True).values).to(z.dtype)
    return is_max / is_max.sum(dim=-1, keepdim=True)


def answer_cold_limit_pair():
    return (0.5, 0.5)
