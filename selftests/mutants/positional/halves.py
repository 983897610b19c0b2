"""Puts all the sines in the first half of the columns and all the cosines in the second half."""
HINT = "interleaved"


def positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    frequency = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
    return torch.cat([torch.sin(position * frequency), torch.cos(position * frequency)], dim=1)
