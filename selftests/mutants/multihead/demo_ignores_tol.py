"""positional_demo calls is_permutation_equivariant without passing its tol on (so always 1e-5)."""
HINT = "demo_tol"


def positional_demo(layer, x, perm, tol=1e-5):
    without = is_permutation_equivariant(layer, x, perm)  # noqa: F821
    with_pe = is_permutation_equivariant(lambda z: layer(add_positional(z)), x, perm)  # noqa: F821
    return without, with_pe
