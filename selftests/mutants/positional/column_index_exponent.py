"""Divides by 10000**(j / d) with j the column index, so the cosine of pair k gets (2k + 1)/d."""
HINT = "frequency_exponent"


def positional_encoding(max_len, d_model):
    pos = np.arange(max_len)[:, None]
    j = np.arange(d_model)[None, :]
    angle = pos / 10000 ** (j / d_model)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle)).astype(np.float32)
