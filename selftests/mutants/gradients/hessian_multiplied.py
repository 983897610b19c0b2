"""Thresholds w* at alpha * H_ii instead of alpha / H_ii (the Hessian multiplied in, not divided out)."""
HINT = "hessian_multiplied"


def soft_threshold(w_star, H_diag, alpha):
    return np.sign(w_star) * np.maximum(np.abs(w_star) - alpha * H_diag, 0.0)
