"""Seeds its generator with a fixed number instead of the seed argument."""
HINT = "mc_seed_ignored"


def dot_moments_monte_carlo(mu, sigma, d, n_samples, seed):
    rng = np.random.default_rng(0)
    q = rng.normal(mu, sigma, size=(n_samples, d))
    k = rng.normal(mu, sigma, size=(n_samples, d))
    dots = np.einsum("nd,nd->n", q, k)
    return float(dots.mean()), float(dots.var(ddof=1))
