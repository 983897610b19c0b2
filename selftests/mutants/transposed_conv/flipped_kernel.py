"""Flips the kernel, as in the textbook definition of convolution (PyTorch does not flip it)."""
HINT = "flipped_kernel"


def answer_conv_matrix():
    w0, w1, w2 = sympy.symbols("w0 w1 w2", real=True)
    return sympy.Matrix([[w2, w1, w0, 0, 0, 0],        # taps in reverse order
                         [0, 0, w2, w1, w0, 0]])


def answer_transposed_output():
    z = sympy.Matrix(sympy.symbols("z0 z1", real=True))
    return answer_conv_matrix().T * z


_unflipped_conv_matrix = conv_matrix


def conv_matrix(w, length, stride=1, padding=0):
    return _unflipped_conv_matrix(w.flip(0), length, stride, padding)


_unflipped_transpose = conv_transpose_output


def conv_transpose_output(w, z, stride=2):
    return _unflipped_transpose(w.flip(0), z, stride)
