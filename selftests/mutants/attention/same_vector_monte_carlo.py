"""Monte Carlo with k = q (one draw used twice): estimates the moments of |q|^2 instead of q . k."""
HINT = "mc_independent"


def dot_moments_monte_carlo(mu, sigma, d, n_samples, seed):
    rng = np.random.default_rng(seed)
    q = rng.normal(mu, sigma, size=(n_samples, d))
    dots = (q * q).sum(axis=1)
    return float(dots.mean()), float(dots.var(ddof=1))
