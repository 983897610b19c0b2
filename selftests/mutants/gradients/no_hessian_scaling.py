"""Soft-thresholds w* by alpha itself, forgetting to divide by the Hessian's diagonal."""
HINT = "no_hessian_scaling"


def soft_threshold(w_star, H_diag, alpha):
    return np.sign(w_star) * np.maximum(np.abs(w_star) - alpha, 0.0)
