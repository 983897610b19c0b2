"""By hand: slides the 3x3 window one cell at a time (stride 1), giving 3x3 results."""
HINT = "window_stride_off"


def answer_max_pool_a():
    return pool_by_hand(MATRIX_A, 3, 1, "max")


def answer_max_pool_b():
    return pool_by_hand(MATRIX_B, 3, 1, "max")


def answer_avg_pool_a():
    return pool_by_hand(MATRIX_A, 3, 1, "avg")


def answer_avg_pool_b():
    return pool_by_hand(MATRIX_B, 3, 1, "avg")
