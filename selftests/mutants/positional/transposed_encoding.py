"""Builds the encoding with one column per position: shape (d_model, max_len)."""
HINT = "rows_are_positions"


def positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float64)[None, :]                       # (1, max_len)
    frequency = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)[:, None]
    pe = torch.zeros(d_model, max_len, dtype=torch.float64)
    pe[0::2] = torch.sin(frequency * position)
    pe[1::2] = torch.cos(frequency * position)
    return pe
