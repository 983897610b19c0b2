"""float64 numpy with plain loops; the sympy answers in other equivalent forms (k from 1, cos(q - p), ...)."""


def positional_encoding(max_len, d_model):
    pe = np.empty((max_len, d_model), dtype=np.float64)
    for pos in range(max_len):
        for col in range(0, d_model, 2):
            angle = pos / (10000.0 ** (col / d_model))
            pe[pos, col] = math.sin(angle)
            pe[pos, col + 1] = math.cos(angle)
    return pe


def answer_pair_norm():
    return sympy.Integer(1)


def answer_pair_dot():
    return sympy.cos(omega * q - omega * p)


def answer_full_dot():
    j = sympy.Symbol("j", integer=True, positive=True)
    term = sympy.cos((q - p) * sympy.exp(-2 * (j - 1) * sympy.log(10000) / d))
    return sympy.Sum(term, (j, 1, d / 2))


def answer_rotation_score():
    delta = p - q
    return a / sympy.sqrt(d_k) * sympy.cos(omega * delta) + b * sympy.sin(omega * (q - p)) / sympy.sqrt(d_k)
