"""Puts the cosine in the even columns and the sine in the odd ones."""
HINT = "sin_cos_swapped"


def positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.cos(position * frequency)
    pe[:, 1::2] = torch.sin(position * frequency)
    return pe
