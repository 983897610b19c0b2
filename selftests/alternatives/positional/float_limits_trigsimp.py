"""Sum limits written with a float (0.5*d - 1), the norm by trigsimp of the matrix product, the encoding in
float64 torch with the log-space frequencies and a stack of (sin, cos) pairs."""


def positional_encoding(max_len, d_model):
    pos = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    w = torch.exp(torch.arange(d_model // 2, dtype=torch.float64) * (-2.0 * math.log(10000.0) / d_model))
    return torch.stack((torch.sin(pos * w), torch.cos(pos * w)), dim=2).flatten(1)


def answer_pair_norm():
    v = sympy.Matrix([sympy.sin(omega * p), sympy.cos(omega * p)])
    return sympy.trigsimp(v.dot(v))


def answer_full_dot():
    return sympy.Sum(sympy.cos(10000 ** (-2 * k / d) * (p - q)), (k, 0, 0.5 * d - 1))
