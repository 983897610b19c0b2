"""Returns the dot products without rewriting them in p - q (right value, wrong form)."""
HINT = "relative_form"


def answer_pair_dot():
    return sympy.sin(omega * p) * sympy.sin(omega * q) + sympy.cos(omega * p) * sympy.cos(omega * q)


def answer_full_dot():
    w = 1 / sympy.Integer(10000) ** (2 * k / d)
    return sympy.Sum(sympy.sin(w * p) * sympy.sin(w * q) + sympy.cos(w * p) * sympy.cos(w * q), (k, 0, d / 2 - 1))
