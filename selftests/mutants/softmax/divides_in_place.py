"""Scales and shifts the logits in place (z /= T, z -= max): right probabilities, but the caller's z is changed."""
HINT = "input_modified"


def softmax_T(z, T):
    z /= T
    z -= z.max(dim=-1, keepdim=True).values
    weights = torch.exp(z)
    return weights / weights.sum(dim=-1, keepdim=True)
