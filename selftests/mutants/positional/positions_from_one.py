"""Numbers the positions 1 .. max_len instead of 0 .. max_len - 1."""
HINT = "positions_from_zero"


def positional_encoding(max_len, d_model):
    pe = np.zeros((max_len, d_model), dtype=np.float64)
    for pos in range(1, max_len + 1):
        for i in range(0, d_model, 2):
            angle = pos / 10000 ** (i / d_model)
            pe[pos - 1, i] = math.sin(angle)
            pe[pos - 1, i + 1] = math.cos(angle)
    return pe
