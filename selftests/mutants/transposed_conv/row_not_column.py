"""Multiplies z by A from the wrong side: z^T A, a 1x6 row, instead of the column A^T z."""
HINT = "column_vector"
KEY_PARTS = ()  # its answer_dropped_entries (derived from a 1x6 row) is not this misconception


def answer_transposed_output():
    z = sympy.Matrix(sympy.symbols("z0 z1", real=True))
    return z.T * answer_conv_matrix()
