"""A lopsided Sobel: the corners that should mirror each other are dropped on one side each."""
HINT = "edge_tilted"


def horizontal_edge_kernel():
    return [[-1, -2, 0], [0, 0, 0], [0, 2, 1]]
