"""Computes the cell in float64 and casts back, builds the layer with unbind/stack, writes the NumPy
passes with einsum over lists of per-step arrays, and answers the shapes with its own plain symbols
(no assumptions) that only share the names B, H, D."""
import math

import numpy as np
import sympy
import torch
from torch import nn


class RNNCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        k = 1 / math.sqrt(hidden_size)
        self.W_xh = nn.Parameter(torch.rand(hidden_size, input_size) * 2 * k - k)
        self.W_hh = nn.Parameter(torch.rand(hidden_size, hidden_size) * 2 * k - k)
        self.b_h = nn.Parameter(torch.zeros(hidden_size))

    def forward(self, x_t, h_prev):
        a = (torch.einsum("hd,bd->bh", self.W_xh.double(), x_t.double())
             + torch.einsum("hk,bk->bh", self.W_hh.double(), h_prev.double()) + self.b_h.double())
        return torch.tanh(a).to(x_t.dtype)


class RNNLayer(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.cell = RNNCell(input_size, hidden_size)
        self.W_hy = nn.Parameter((torch.rand(output_size, hidden_size) * 2 - 1) / math.sqrt(hidden_size))
        self.b_y = nn.Parameter(torch.zeros(output_size))

    def forward(self, x, h0=None):
        h = torch.zeros(x.shape[0], self.cell.W_hh.shape[0], dtype=x.dtype) if h0 is None else h0
        states = []
        for x_t in x.unbind(dim=1):
            h = self.cell(x_t, h)
            states.append(h)
        hs = torch.stack(states, dim=1)
        return torch.einsum("bth,oh->bto", hs, self.W_hy) + self.b_y, hs


_B, _H, _D = sympy.Symbol("B"), sympy.Symbol("H"), sympy.Symbol("D")


def answer_shape_x_t():
    return (_B, _D)


def answer_shape_y_hat_t():
    return [_B, _D]


def answer_shape_h_t():
    return (_B, _H)


def answer_shape_W_xh():
    return (_H, _D)


def answer_shape_W_hh():
    return (_H, _H)


def answer_shape_W_hy():
    return (_D, _H)


def answer_shape_b_h():
    return (_H,)


def answer_shape_b_y():
    return (_D,)


def rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    states, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(np.einsum("hd,bd->bh", W_xh, x[:, t]) + np.einsum("hk,bk->bh", W_hh, h) + b_h)
        states.append(h)
    hs = np.stack(states, axis=1)
    return hs, np.einsum("bth,oh->bto", hs, W_hy) + b_y


def bptt_gradients(x, h0, W_xh, W_hh, b_h, W_hy, b_y, dL_dy_hat):
    hs, _ = rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)          # h_{t-1} for every t
    dW_hy = np.einsum("bto,bth->oh", dL_dy_hat, hs)
    db_y = dL_dy_hat.sum(axis=(0, 1))
    da = np.zeros_like(hs)                                           # dL/da_t for every t
    carry = np.zeros_like(h0)
    for t in range(x.shape[1] - 1, -1, -1):
        da[:, t] = (np.einsum("bo,oh->bh", dL_dy_hat[:, t], W_hy) + carry) * (1 - hs[:, t] ** 2)
        carry = np.einsum("bh,hk->bk", da[:, t], W_hh)
    return (dW_hy, db_y, np.einsum("bth,btk->hk", da, prev), np.einsum("bth,btd->hd", da, x),
            da.sum(axis=(0, 1)))
