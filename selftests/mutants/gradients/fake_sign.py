"""Differentiates log(1 - sigmoid(z)) as +sigmoid(z): the generated samples' term has the wrong sign."""
HINT = "fake_sign"


def grad_last_preactivation(d_real, d_fake):
    return (1.0 - d_real) / d_real.shape[0], d_fake / d_fake.shape[0]
