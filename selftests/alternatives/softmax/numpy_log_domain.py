"""NumPy in float64 in the log domain (a hand-written log-sum-exp), loops for the cold limit, and the by-hand
answers typed in: a sympy Matrix, Fractions, and symbols without assumptions."""
import fractions

import numpy as np


def softmax_T(z, T):
    x = z.detach().cpu().numpy().astype(np.float64) / T
    shifted = x - x.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return torch.from_numpy(np.exp(log_probs)).to(z.dtype)


def softmax_limit_cold(z):
    rows = z.reshape(-1, z.shape[-1]).tolist()
    out = []
    for row in rows:
        top = max(row)
        k = sum(1 for v in row if v == top)
        out.append([1.0 / k if v == top else 0.0 for v in row])
    return torch.tensor(out, dtype=z.dtype).reshape(z.shape)


def softmax_limit_hot(z):
    return torch.ones_like(z) / z.shape[-1]


def answer_cold_limit_pair():
    return sympy.Matrix([0, 1])


def answer_cold_limit_tie():
    return [fractions.Fraction(1, 2), 0, fractions.Fraction(1, 2)]


def answer_hot_limit():
    return (1 / 3, 1 / 3, 1 / 3)


def answer_hot_rate():
    a, b = sympy.symbols("a b")
    return (a - b) * sympy.Rational(1, 4)


def answer_cold_rate():
    return sympy.Symbol("d", positive=True) + 0
