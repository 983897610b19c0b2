"""Gives the Sobel kernel for vertical edges (left vs right) as the horizontal-edge kernel."""
HINT = "horizontal_vertical_mixed"


def horizontal_edge_kernel():
    return np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
