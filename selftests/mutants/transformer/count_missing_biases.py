"""Counts only the weight matrices of W_o, ff1 and ff2, forgetting their biases."""
HINT = "param_biases"


def param_count_formula():
    return 4 * D * D + 2 * D * d_ff + 4 * D  # noqa: F821 (the module's symbols)
