"""Forgets the zero padding: the windows start at x0 instead of at the leading padded zero."""
HINT = "no_zero_padding"


def answer_conv_matrix():
    w0, w1, w2 = sympy.symbols("w0 w1 w2", real=True)
    return sympy.Matrix([[0, w0, w1, w2, 0, 0],
                         [0, 0, 0, w0, w1, w2]])


def answer_transposed_output():
    z = sympy.Matrix(sympy.symbols("z0 z1", real=True))
    return answer_conv_matrix().T * z


def conv_matrix(w, length, stride=1, padding=0):
    kernel = w.shape[0]
    outputs = (length - kernel) // stride + 1
    A = torch.zeros(outputs, length, dtype=torch.float64)
    for n in range(outputs):
        A[n, stride * n:stride * n + kernel] = w
    return A
