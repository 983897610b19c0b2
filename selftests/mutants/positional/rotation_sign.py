"""Takes c_p s_q - s_p c_q to be sin(omega (p - q)) (the sign of the b term comes out wrong)."""
HINT = "rotation_sign"


def answer_rotation_score():
    return (a * sympy.cos(omega * (p - q)) + b * sympy.sin(omega * (p - q))) / sympy.sqrt(d_k)
