"""Correct, written differently: a Python loop over heads (slicing the projections), attention in
float64 with torch.where and the dtype's lowest value as the mask, a shared block function; formulas
counted from module parameter tensors' shapes."""
import sympy
import torch
from torch import nn


def _heads_loop(layer, x, mask):
    B, T, D = x.shape
    dh = D // layer.n_heads
    xd = x.double()
    outs = []
    for h in range(layer.n_heads):
        rows = slice(h * dh, (h + 1) * dh)
        q = xd @ layer.W_q.weight[rows].double().T
        k = xd @ layer.W_k.weight[rows].double().T
        v = xd @ layer.W_v.weight[rows].double().T
        s = q @ k.transpose(1, 2) / dh ** 0.5
        if mask is not None:
            s = torch.where(mask[:, None, :], s, torch.finfo(s.dtype).min)
        outs.append(torch.softmax(s, dim=2) @ v)
    return torch.cat(outs, dim=2).to(x.dtype)


class TransformerLayer(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.n_heads = n_heads
        self.W_q = nn.Linear(d_model, d_model, bias=False)
        self.W_k = nn.Linear(d_model, d_model, bias=False)
        self.W_v = nn.Linear(d_model, d_model, bias=False)
        self.W_o = nn.Linear(d_model, d_model)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)
        self.ln1 = nn.LayerNorm(d_model)
        self.ln2 = nn.LayerNorm(d_model)

    def forward(self, x, mask=None):
        x = self.ln1(x + self.W_o(_heads_loop(self, x, mask)))
        return self.ln2(x + self.ff2(nn.functional.relu(self.ff1(x))))


class PreLNTransformerLayer(TransformerLayer):
    def __init__(self, d_model, n_heads, d_ff, dropout=0.1):
        super().__init__(d_model, n_heads, d_ff)
        self.dropouts = nn.ModuleList(nn.Dropout(dropout) for _ in range(3))

    def forward(self, x, mask=None):
        d1, d2, d3 = self.dropouts
        x = x + d1(self.W_o(_heads_loop(self, self.ln1(x), mask)))
        return x + d3(self.ff2(d2(torch.relu(self.ff1(self.ln2(x))))))


_DM, _FF = sympy.symbols("D d_ff", positive=True, integer=True)


def _count(all_biases):
    Dm, F_ = _DM, _FF
    shapes = [(Dm, Dm)] * 4 + [(Dm,)] + [(F_, Dm), (F_,), (Dm, F_), (Dm,)] + [(Dm,)] * 4
    shapes += [(Dm,)] * 3 if all_biases else []
    return sum((sympy.Mul(*s) for s in shapes), sympy.Integer(0))


def param_count_formula():
    return _count(False)


def param_count_formula_all_biases():
    return _count(True)


def answer_param_count_128_512():
    return int(_count(False).subs({_DM: 128, _FF: 512}))


def answer_param_count_all_biases_128_512():
    return int(_count(True).subs({_DM: 128, _FF: 512}))
