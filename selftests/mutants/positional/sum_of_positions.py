"""Uses cos(A)cos(B) + sin(A)sin(B) = cos(A + B): the dot products come out in p + q."""
HINT = "sum_of_positions"


def answer_pair_dot():
    return sympy.cos(omega * (p + q))


def answer_full_dot():
    return sympy.Sum(sympy.cos((p + q) / sympy.Integer(10000) ** (2 * k / d)), (k, 0, d / 2 - 1))
