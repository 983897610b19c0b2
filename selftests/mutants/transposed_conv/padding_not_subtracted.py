"""Places tap m of window n at column s*n + m, forgetting to subtract the padding: every window sits
`padding` columns too far right (the number of rows is right)."""
HINT = "padding_offset"


def conv_matrix(w, length, stride=1, padding=0):
    kernel = w.shape[0]
    outputs = (length + 2 * padding - kernel) // stride + 1
    A = torch.zeros(outputs, length, dtype=torch.float64)
    for n in range(outputs):
        for m in range(kernel):
            j = stride * n + m
            if 0 <= j < length:
                A[n, j] = w[m]
    return A
