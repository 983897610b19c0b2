"""A vertical-edge kernel with two corners moved: it tells the diagonals apart, but prefers vertical edges."""
HINT = "diagonal_weak"


def diagonal_edge_kernel():
    return [[0, 0, 1], [-1, 0, 1], [-1, 0, 0]]
