"""Exponentiates z / T directly: overflows (inf/inf = nan) for large z / T, underflows (0/0) for very negative."""
HINT = "no_max_subtraction"


def softmax_T(z, T):
    weights = torch.exp(z / T)
    return weights / weights.sum(dim=-1, keepdim=True)
