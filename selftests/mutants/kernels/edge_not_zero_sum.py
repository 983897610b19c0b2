"""Marks the top row negative and everything below it positive: the weights sum to 3, not 0."""
HINT = "edge_sum"


def horizontal_edge_kernel():
    return [[-1, -1, -1], [1, 1, 1], [1, 1, 1]]
