"""Finds the maxima with torch.isclose (a tolerance) instead of exact equality: near ties are shared as if tied."""
HINT = "near_ties"


def softmax_limit_cold(z):
    is_max = torch.isclose(z, z.max(dim=-1, keepdim=True).values).to(z.dtype)
    return is_max / is_max.sum(dim=-1, keepdim=True)
