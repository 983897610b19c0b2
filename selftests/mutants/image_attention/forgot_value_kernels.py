"""Counts the key kernels only."""
HINT = "value_params"


def answer_num_parameters():
    return 9 * C_in * C_out
