"""By hand: averages the window with floor division (sum // 9), losing the fraction."""
HINT = "integer_division"


def pool_by_hand(matrix, kernel_size, stride, mode):
    out = []
    for top in range(0, len(matrix) - kernel_size + 1, stride):
        row = []
        for left in range(0, len(matrix[0]) - kernel_size + 1, stride):
            window = [matrix[r][c] for r in range(top, top + kernel_size) for c in range(left, left + kernel_size)]
            row.append(max(window) if mode == "max" else sum(window) // len(window))
        out.append(row)
    return out
