"""Shrinks w* by alpha/H toward 0 but never stops at 0: small weights overshoot to the other sign."""
HINT = "no_threshold_clamp"


def soft_threshold(w_star, H_diag, alpha):
    return w_star - alpha / H_diag * np.sign(w_star)
