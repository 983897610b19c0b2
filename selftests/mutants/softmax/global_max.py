"""Subtracts ONE maximum, that of the whole tensor, instead of each row's own: rows far below it underflow to 0/0."""
HINT = "global_max"


def softmax_T(z, T):
    scaled = z / T
    weights = torch.exp(scaled - scaled.max())
    return weights / weights.sum(dim=-1, keepdim=True)
