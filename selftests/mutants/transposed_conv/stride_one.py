"""Ignores the stride: one row per window position, as if the stride were 1."""
HINT = "stride_one"


def answer_conv_matrix():
    w = sympy.symbols("w0 w1 w2", real=True)
    A = sympy.zeros(4, 6)
    for n in range(4):
        for m in range(3):
            A[n, n + m] = w[m]
    return A


def conv_matrix(w, length, stride=1, padding=0):
    kernel = w.shape[0]
    outputs = length + 2 * padding - kernel + 1
    A = torch.zeros(outputs, length, dtype=torch.float64)
    for n in range(outputs):
        for m in range(kernel):
            if 0 <= n + m - padding < length:
                A[n, n + m - padding] = w[m]
    return A
