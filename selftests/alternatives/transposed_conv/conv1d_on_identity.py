"""Builds A by applying F.conv1d to the unit vectors, and the by-hand matrices with a Jacobian."""


def answer_conv_matrix():
    w = sympy.symbols("w0 w1 w2", real=True)
    xt = sympy.symbols("t0:6", real=True)                 # the entries of x~
    y = [sum(w[m] * xt[2 * n + m] for m in range(3)) for n in range(2)]
    return sympy.Matrix(y).jacobian(sympy.Matrix(xt))


def answer_transposed_output():
    z0, z1 = sympy.symbols("z0 z1", real=True)
    A = answer_conv_matrix()
    return sympy.Matrix([A[0, j] * z0 + A[1, j] * z1 for j in range(6)])


def answer_conv_transpose_length():
    return 5


def conv_matrix(w, length, stride=1, padding=0):
    eye = torch.eye(length, dtype=torch.float64).unsqueeze(1)
    cols = F.conv1d(eye, w.to(torch.float64).view(1, 1, -1), stride=stride, padding=padding)
    return cols[:, 0, :].T.contiguous()


def conv_transpose_output(w, z, stride=2):
    return F.conv_transpose1d(z.view(1, 1, -1), w.view(1, 1, -1), stride=stride).view(-1)
