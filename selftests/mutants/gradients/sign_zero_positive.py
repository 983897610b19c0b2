"""Takes the sign as +1 for w >= 0, so a zero weight is pushed as if it were positive."""
HINT = "sign0_wrong"


def l1_gradient(grad_J, w, alpha):
    return grad_J + alpha * np.where(w >= 0, 1.0, -1.0)
