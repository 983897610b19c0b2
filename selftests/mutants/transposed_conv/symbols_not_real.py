"""Declares the symbols without real=True (different symbols to sympy)."""
HINT = "not_real"


def answer_conv_matrix():
    w0, w1, w2 = sympy.symbols("w0 w1 w2")
    return sympy.Matrix([[w0, w1, w2, 0, 0, 0],
                         [0, 0, w0, w1, w2, 0]])


def answer_transposed_output():
    return answer_conv_matrix().T * sympy.Matrix(sympy.symbols("z0 z1"))
