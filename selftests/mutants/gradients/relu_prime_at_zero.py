"""Takes ReLU'(0) = 1 (tests pre >= 0): a layer whose pre-activation is exactly 0 still passes its w on."""
HINT = "relu_prime_zero"


def input_gradient(ws, bs, h0, skip):
    h, product = h0, 1.0
    for w, b in zip(ws, bs):
        pre = w * h + b
        product *= (1.0 if skip else 0.0) + w * (1.0 if pre >= 0 else 0.0)
        h = (h if skip else 0.0) + max(pre, 0.0)
    return product
