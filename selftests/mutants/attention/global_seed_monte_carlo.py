"""Seeds NumPy's global generator (np.random.seed) and draws from it, changing the caller's random state."""
HINT = "mc_global_rng"


def dot_moments_monte_carlo(mu, sigma, d, n_samples, seed):
    np.random.seed(seed)
    q = np.random.normal(mu, sigma, size=(n_samples, d))
    k = np.random.normal(mu, sigma, size=(n_samples, d))
    dots = (q * k).sum(axis=1)
    return float(dots.mean()), float(dots.var(ddof=1))
