"""Counts only the weights of CNN() by hand, forgetting the biases."""
HINT = "count_biases"


def answer_parameter_count():
    return 1 * 16 * 9 + 16 * 32 * 9 + 32 * 2 * 2 * 64 + 64 * 10
