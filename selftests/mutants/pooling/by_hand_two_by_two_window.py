"""By hand: pools with a 2x2 window (stride 2) instead of the 3x3 window."""
HINT = "window_stride_off"


def answer_max_pool_a():
    return pool_by_hand(MATRIX_A, 2, 2, "max")


def answer_max_pool_b():
    return pool_by_hand(MATRIX_B, 2, 2, "max")


def answer_avg_pool_a():
    return pool_by_hand(MATRIX_A, 2, 2, "avg")


def answer_avg_pool_b():
    return pool_by_hand(MATRIX_B, 2, 2, "avg")
