"""Puts +1 on the main diagonal's ends and -1 on the other diagonal's: it answers both diagonals alike."""
HINT = "diagonal_symmetric"


def diagonal_edge_kernel():
    return [[1, 0, -1], [0, 0, 0], [-1, 0, 1]]
