"""Gives the value kernel C_in channels, like the key kernel."""
HINT = "value_kernel_shape"


def answer_num_parameters():
    return 2 * 3 * 3 * C_in * C_out
