"""By hand: gives the average-pooled matrices as the max-pooling answers and the other way round."""
HINT = "max_avg_swapped"


def answer_max_pool_a():
    return pool_by_hand(MATRIX_A, 3, 2, "avg")


def answer_max_pool_b():
    return pool_by_hand(MATRIX_B, 3, 2, "avg")


def answer_avg_pool_a():
    return pool_by_hand(MATRIX_A, 3, 2, "max")


def answer_avg_pool_b():
    return pool_by_hand(MATRIX_B, 3, 2, "max")
