"""Multiplies the logits by the temperature instead of dividing, and so swaps the two limits."""
HINT = "temperature_multiplied"


def softmax_T(z, T):
    scaled = z * T
    weights = torch.exp(scaled - scaled.max(dim=-1, keepdim=True).values)
    return weights / weights.sum(dim=-1, keepdim=True)


def answer_cold_limit_pair():
    return (sympy.Rational(1, 2), sympy.Rational(1, 2))


def answer_cold_limit_tie():
    return (sympy.Rational(1, 3),) * 3
