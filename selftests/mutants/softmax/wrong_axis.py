"""Normalises over the first axis instead of the last: right for one row, wrong for a batch."""
HINT = "wrong_axis"


def softmax_T(z, T):
    scaled = z / T
    weights = torch.exp(scaled - scaled.max(dim=0, keepdim=True).values)
    return weights / weights.sum(dim=0, keepdim=True)
