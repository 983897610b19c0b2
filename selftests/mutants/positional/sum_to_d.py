"""Sums over one frequency per column (k = 0 .. d - 1) instead of one per (sin, cos) pair."""
HINT = "pair_count"


def answer_full_dot():
    return sympy.Sum(sympy.cos((p - q) / sympy.Integer(10000) ** (2 * k / d)), (k, 0, d - 1))
