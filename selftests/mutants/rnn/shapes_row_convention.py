"""Gives the weight shapes of the row-vector convention h_t = x_t W_xh + h_{t-1} W_hh (input size first),
which this exercise does not use."""
HINT = "shape_orientation"


def answer_shape_W_xh():
    return (D, H)  # noqa: F821


def answer_shape_W_hy():
    return (H, D)  # noqa: F821
