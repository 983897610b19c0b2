"""Subtracts the maximum of z before dividing by T (another valid order), the cold limit through the mask
of maxima in float64, and the rates by a series expansion instead of sympy.limit."""


def softmax_T(z, T):
    shifted = (z - z.amax(dim=-1, keepdim=True)) / T
    weights = shifted.exp()
    return weights / weights.sum(-1, keepdim=True)


def softmax_limit_cold(z):
    mask = z.eq(z.amax(-1, keepdim=True)).double()
    return (mask / mask.sum(-1, keepdim=True)).to(z.dtype)


def answer_hot_rate():
    a, b, _, _, T = _symbols()
    u = sympy.Symbol("u", positive=True)                     # u = 1 / T
    p1 = 1 / (1 + sympy.exp((b - a) * u))
    return sympy.series(p1, u, 0, 2).removeO().coeff(u, 1)


def answer_cold_rate():
    a, _, _, d, T = _symbols()
    return sympy.limit(T * sympy.log(1 + sympy.exp(-d / T)) + d, T, 0, "+")
