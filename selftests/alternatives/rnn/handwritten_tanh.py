"""Writes tanh by hand in the overflow-safe form 1 - 2 / (exp(2a) + 1) (exp overflows to inf for large a,
and the formula still gives +-1), initialises with nn.init.uniform_ and zero biases, keeps h0's zeros in
the input's dtype with torch.zeros_like, and builds the NumPy arrays step by step with a list."""
import math

import numpy as np
import sympy
import torch
from torch import nn


def _tanh(a):
    return 1 - 2 / (torch.exp(2 * a) + 1)


def _np_tanh(a):
    with np.errstate(over="ignore"):
        return 1 - 2 / (np.exp(2 * a) + 1)


class RNNCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        k = 1 / math.sqrt(hidden_size)
        self.W_xh = nn.Parameter(nn.init.uniform_(torch.empty(hidden_size, input_size), -k, k))
        self.W_hh = nn.Parameter(nn.init.uniform_(torch.empty(hidden_size, hidden_size), -k, k))
        self.b_h = nn.Parameter(torch.zeros(hidden_size))

    def forward(self, x_t, h_prev):
        return _tanh(torch.addmm(self.b_h, x_t, self.W_xh.t()) + torch.mm(h_prev, self.W_hh.t()))


class RNNLayer(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.cell = RNNCell(input_size, hidden_size)
        k = 1 / math.sqrt(hidden_size)
        self.W_hy = nn.Parameter(nn.init.uniform_(torch.empty(output_size, hidden_size), -k, k))
        self.b_y = nn.Parameter(torch.zeros(output_size))

    def forward(self, x, h0=None):
        if h0 is None:
            h0 = torch.zeros_like(x[:, 0, :1]).expand(-1, self.W_hy.shape[1])
        h, out = h0, []
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h)
            out.append(h)
        hs = torch.stack(out, 1)
        return torch.matmul(hs, self.W_hy.t()) + self.b_y, hs


B, H, D = sympy.symbols("B H D", positive=True, integer=True)


def answer_shape_x_t():
    return (B, D)


def answer_shape_y_hat_t():
    return (B, D)


def answer_shape_h_t():
    return (B, H)


def answer_shape_W_xh():
    return (H, D)


def answer_shape_W_hh():
    return (H, H)


def answer_shape_W_hy():
    return (D, H)


def answer_shape_b_h():
    return (H,)


def answer_shape_b_y():
    return (D,)


def rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    states, h = [], h0
    for t in range(x.shape[1]):
        h = _np_tanh(x[:, t] @ W_xh.T + h @ W_hh.T + b_h)
        states.append(h)
    hs = np.stack(states, axis=1)
    return hs, hs @ W_hy.T + b_y


def bptt_gradients(x, h0, W_xh, W_hh, b_h, W_hy, b_y, dL_dy_hat):
    hs, _ = rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    grads = [np.zeros_like(p) for p in (W_hy, b_y, W_hh, W_xh, b_h)]
    carry = np.zeros_like(h0)
    for t in range(x.shape[1] - 1, -1, -1):
        prev = hs[:, t - 1] if t else h0
        dy = dL_dy_hat[:, t]
        da = (dy @ W_hy + carry) * (1 - hs[:, t] ** 2)
        for g, v in zip(grads, (dy.T @ hs[:, t], dy.sum(0), da.T @ prev, da.T @ x[:, t], da.sum(0))):
            g += v
        carry = da @ W_hh
    return tuple(grads)
