"""Differentiates only the sigma branch of a skip layer: drops the identity term's 1."""
HINT = "skip_identity_missing"


def answer_skip_layer_derivative():
    return answer_layer_derivative()


def input_gradient(ws, bs, h0, skip):
    h, product = h0, 1.0
    for w, b in zip(ws, bs):
        pre = w * h + b
        product *= w * (1.0 if pre > 0 else 0.0)
        h = (h if skip else 0.0) + max(pre, 0.0)
    return product


def answer_product_skip():
    return sympy.Rational(1, 10) ** sympy.Symbol("L", integer=True, positive=True)
