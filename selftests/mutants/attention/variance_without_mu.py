"""Uses the zero-mean variance d*sigma^4 for every mu (drops the 2 mu^2 sigma^2 term)."""
HINT = "var_missing_mu"


def answer_dot_variance():
    return D * SIGMA**4
