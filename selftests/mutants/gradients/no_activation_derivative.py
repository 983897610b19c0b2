"""Backpropagates through a tanh layer without its derivative 1 - tanh(z)^2."""
HINT = "activation_derivative_missing"


def backprop_step(delta_next, W_next, z):
    return delta_next @ W_next
