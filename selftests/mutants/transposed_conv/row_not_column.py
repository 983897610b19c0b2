"""Multiplies z by A from the wrong side: z^T A, a 1x6 row, instead of the column A^T z (Part B's dropped
entries are written out by hand, right: this mutant's only mistake is the row)."""
HINT = "column_vector"
KEY_PARTS = ()  # its by-hand numbers are right: no key entry comes from this mutant


def answer_transposed_output():
    z = sympy.Matrix(sympy.symbols("z0 z1", real=True))
    return z.T * answer_conv_matrix()


def answer_dropped_entries():
    return tuple(range(answer_conv_transpose_length(), 6))
