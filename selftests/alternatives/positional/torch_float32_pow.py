"""float32 torch with pow and broadcasting; sympy answers by explicit expansion of the products."""


def positional_encoding(max_len, d_model):
    pos = torch.arange(max_len, dtype=torch.float32)[:, None]
    two_k = torch.arange(0, d_model, 2, dtype=torch.float32)[None, :]
    angle = pos / torch.pow(torch.tensor(10000.0), two_k / d_model)
    return torch.stack([torch.sin(angle), torch.cos(angle)], dim=-1).reshape(max_len, d_model)


def answer_pair_norm():
    return sympy.simplify(sympy.sin(omega * p) ** 2 + sympy.cos(omega * p) ** 2)


def answer_pair_dot():
    return sympy.cos(omega * p - omega * q)


def answer_full_dot():
    return sympy.Sum(sympy.cos(p * 10000 ** (-2 * k / d) - q * 10000 ** (-2 * k / d)), (k, 0, d / 2 - 1))


def answer_rotation_score():
    return (a * sympy.cos(omega * p - omega * q) - b * sympy.sin(omega * p - omega * q)) / sympy.sqrt(d_k)
