"""Updates the discriminator by gradient descent, as if it minimised L like the generator."""
HINT = "d_descent"


def update_discriminator(Ws, grads, lr):
    return [W - lr * g for W, g in zip(Ws, grads)]
