"""Sets padding=1 to crop the ends but forgets the output_padding that gives the last entry back."""
HINT = "output_padding"


def answer_transpose_padding():
    return (1, 0)
