"""numpy float32 matrices; A = D A_1 (stride-1 matrix, then keep every second row); transposed
convolution as A^T z on an input as long as the layer's output."""
import numpy as np


def answer_conv_matrix():
    w0, w1, w2 = sympy.symbols("w0 w1 w2", real=True)
    A1 = sympy.Matrix([[w0, w1, w2, 0, 0, 0],
                       [0, w0, w1, w2, 0, 0],
                       [0, 0, w0, w1, w2, 0],
                       [0, 0, 0, w0, w1, w2]])
    D = sympy.Matrix([[1, 0, 0, 0],
                      [0, 0, 1, 0]])
    return sympy.ImmutableMatrix(D * A1)


def answer_transposed_output():
    z = sympy.Matrix(2, 1, sympy.symbols("z0 z1", real=True))
    return sympy.expand(answer_conv_matrix().T * z)


def answer_dropped_entries():
    return [5]


def answer_transpose_padding():
    return [1, 1]


def conv_matrix(w, length, stride=1, padding=0):
    w = np.asarray(w, dtype=np.float32)
    kernel = len(w)
    padded = length + 2 * padding
    full = np.zeros(((padded - kernel) // stride + 1, padded), dtype=np.float32)
    for n in range(full.shape[0]):
        full[n, n * stride:n * stride + kernel] = w
    return full[:, padding:padding + length]


def conv_transpose_output(w, z, stride=2):
    length = (len(z) - 1) * stride + len(w)
    A = torch.from_numpy(conv_matrix(w.numpy(), length, stride))
    return A.T @ z
