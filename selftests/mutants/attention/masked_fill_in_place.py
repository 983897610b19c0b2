"""Masks the caller's scores in place with masked_fill_ (the weights are right, the argument is changed)."""
HINT = "inputs_changed"


def masked_softmax(scores, mask):
    return torch.softmax(scores.masked_fill_(~mask, float("-inf")), dim=-1)
