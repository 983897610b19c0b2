"""Equivalent exact forms: logistic weights 1/(1 + exp(-x)), a Matrix holding float('-inf'), answers
written out by hand, symbols without assumptions, variance expanded; loop-built torch masks and a
masked softmax that zeroes the masked terms after a shifted exp."""
import torch


def answer_causal_scores():
    r = 1 / sympy.sqrt(2)
    ninf = float("-inf")
    return sympy.Matrix([[r, ninf, ninf], [0, r, ninf], [r, r, 2 * r]])


def answer_causal_weights():
    r = 1 / sympy.sqrt(2)
    a = 1 / (1 + sympy.exp(r))                      # weight of token 1 in row 2
    c = 1 / (2 * sympy.exp(r - 2 * r) + 1)          # weight of token 3 in row 3
    b = (1 - c) / 2
    return sympy.Matrix([[1, 0, 0], [a, 1 - a, 0], [b, b, c]])


def answer_causal_outputs():
    A = answer_causal_weights()
    return sympy.Matrix([[A[i, 0] + A[i, 2], A[i, 1] + A[i, 2]] for i in range(3)])


def answer_step2_weights():
    s = sympy.sqrt(3)
    z = 1 + sympy.exp(s) + sympy.exp(4 * s / 3)      # everything divided by exp(4/sqrt(3))
    return [1 / z, sympy.exp(s) / z, sympy.exp(4 * s / 3) / z]


def answer_step2_output():
    w = answer_step2_weights()
    vs = [[5, 4, 5], [3, 5, 5], [1, 2, 4]]
    return sympy.Matrix([[sum(w[j] * vs[j][c] for j in range(3)) for c in range(3)]])   # a row


def answer_step2_masked_output():
    p = 1 / (1 + sympy.exp(sympy.sqrt(3)))           # weight of k1 when k3 is masked
    return sympy.Matrix([5 * p + 3 * (1 - p), 4 * p + 5 * (1 - p), 5])


def causal_mask(T):
    m = torch.zeros(T, T, dtype=torch.bool)
    for i in range(T):
        for j in range(i + 1):
            m[i, j] = True
    return m


def padding_mask(lengths, T):
    return torch.stack([torch.arange(T) < int(n) for n in lengths]) if len(lengths) else torch.zeros(0, T, dtype=torch.bool)


def attention_mask(lengths, T, causal=True):
    out = torch.zeros(len(lengths), 1, T, T, dtype=torch.bool)
    for b, n in enumerate(lengths.tolist()):
        for i in range(T):
            for j in range(min(int(n), i + 1 if causal else T)):
                out[b, 0, i, j] = True
    return out


def masked_softmax(scores, mask):
    mask = mask.expand_as(scores)
    shift = scores.masked_fill(~mask, float("-inf")).amax(dim=-1, keepdim=True)
    w = torch.where(mask, torch.exp(scores - shift), torch.zeros_like(scores))   # 0 * inf would be nan
    return w / w.sum(dim=-1, keepdim=True)


def answer_dot_mean():
    mu, d = sympy.symbols("mu d")
    return mu * d * mu


def answer_dot_variance():
    mu, sigma, d = sympy.symbols("mu sigma d")
    return d * sigma**4 + 2 * d * mu**2 * sigma**2


def answer_standard_normal_scores():
    d = sympy.Symbol("d")
    return [0, d, sympy.Integer(1)]
