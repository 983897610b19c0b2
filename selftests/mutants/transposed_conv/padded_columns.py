"""Returns the matrix for the padded input x~ (length + 2*padding columns) instead of for x."""
HINT = "padded_columns"

_matrix_on_x = conv_matrix


def conv_matrix(w, length, stride=1, padding=0):
    return _matrix_on_x(w, length + 2 * padding, stride, 0)
