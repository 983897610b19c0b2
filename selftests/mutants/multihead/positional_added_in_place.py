"""Adds the encodings to x in place (x += PE) and returns x: the value is right, the caller's x is changed."""
HINT = "inputs_changed"


def add_positional(x):
    _, t, d = x.shape
    x += sinusoidal_positional_encoding(t, d).to(dtype=x.dtype)  # noqa: F821
    return x
