"""Writes the shrunk magnitude as |w* - alpha/H| (as a printed answer key once did): wrong for negative w*."""
HINT = "threshold_inside_abs"


def soft_threshold(w_star, H_diag, alpha):
    return np.sign(w_star) * np.maximum(np.abs(w_star - alpha / H_diag), 0.0)
