"""Returns the gradient of -L for the generator (the minus sign of its descent put into the gradient)."""
HINT = "generator_sign"

_right_generator_backward = generator_backward


def generator_backward(Vs, noise, Ws):
    return [-g for g in _right_generator_backward(Vs, noise, Ws)]
