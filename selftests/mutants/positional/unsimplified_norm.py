"""Returns ||pe_omega(p)||^2 as sin(omega p)^2 + cos(omega p)^2 without simplifying it (right value, the
form the question rules out)."""
HINT = "not_simplified"


def answer_pair_norm():
    return sympy.sin(omega * p) ** 2 + sympy.cos(omega * p) ** 2
