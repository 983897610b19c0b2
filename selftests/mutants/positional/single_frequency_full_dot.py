"""Writes every term of <PE(p), PE(q)> with the single frequency omega of the other parts instead of
omega_k = 1 / 10000**(2k/d)."""
HINT = "frequency_symbol"


def answer_full_dot():
    return sympy.Sum(sympy.cos(omega * (p - q)), (k, 0, d / 2 - 1))
