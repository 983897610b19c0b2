"""Forgets the 1/sqrt(d_k) of scaled dot-product attention."""
HINT = "no_scaling"


def answer_rotation_score():
    return a * sympy.cos(omega * (p - q)) - b * sympy.sin(omega * (p - q))
