"""Uses the pair index i itself in the exponent, omega_i = 1 / 10000**(i / d), instead of 2i/d,
in the encoding and in the sum over frequencies."""
HINT = "frequency_exponent"


def positional_encoding(max_len, d_model):
    pe = np.zeros((max_len, d_model))
    for pos in range(max_len):
        for i in range(d_model // 2):
            w = 1.0 / 10000 ** (i / d_model)
            pe[pos, 2 * i] = np.sin(pos * w)
            pe[pos, 2 * i + 1] = np.cos(pos * w)
    return pe


def answer_full_dot():
    return sympy.Sum(sympy.cos((p - q) / sympy.Integer(10000) ** (k / d)), (k, 0, d / 2 - 1))
