"""Follows the problem's BPTT formula literally, one example at a time: dL/dW = sum_t sum_{k<=t}
dL_t/dh_t (prod_{i=k+1..t} dh_i/dh_{i-1}) (direct dh_k/dW), with explicit Jacobian matrices
dh_i/dh_{i-1} = diag(1 - h_i**2) W_hh. The layer uses F.linear and keeps h0's own tensor."""
import numpy as np
import sympy
import torch
import torch.nn.functional as F
from torch import nn


class RNNCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.W_xh = nn.Parameter(torch.empty(hidden_size, input_size))
        self.W_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.b_h = nn.Parameter(torch.empty(hidden_size))
        for p in self.parameters():
            nn.init.uniform_(p, -hidden_size ** -0.5, hidden_size ** -0.5)

    def forward(self, x_t, h_prev):
        return torch.tanh(F.linear(x_t, self.W_xh, self.b_h) + F.linear(h_prev, self.W_hh))


class RNNLayer(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.cell = RNNCell(input_size, hidden_size)
        self.W_hy = nn.Parameter(torch.empty(output_size, hidden_size).uniform_(-0.1, 0.1))
        self.b_y = nn.Parameter(torch.zeros(output_size))

    def forward(self, x, h0=None):
        hs = []
        h = h0 if h0 is not None else torch.zeros(len(x), self.cell.W_hh.shape[1])
        for t in range(x.size(1)):
            h = self.cell(x[:, t, :], h)
            hs += [h]
        hs = torch.stack(hs, 1)
        return F.linear(hs, self.W_hy, self.b_y), hs


_b, _h, _d = sympy.symbols("B H D", integer=True, positive=True)


def answer_shape_x_t():
    return (_b, _d)


def answer_shape_y_hat_t():
    return (_b, 1 * _d)


def answer_shape_h_t():
    return (_b, _h)


def answer_shape_W_xh():
    return (_h, _d)


def answer_shape_W_hh():
    return (_h, _h ** 1)


def answer_shape_W_hy():
    return (_d, _h)


def answer_shape_b_h():
    return (_h,)


def answer_shape_b_y():
    return (_d,)


def rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    B, T, _ = x.shape
    h = np.empty((B, T, W_hh.shape[0]))
    for b in range(B):
        state = h0[b]
        for t in range(T):
            state = np.tanh(W_hh @ state + W_xh @ x[b, t] + b_h)
            h[b, t] = state
    return h, np.array([[W_hy @ h[b, t] + b_y for t in range(T)] for b in range(B)])


def bptt_gradients(x, h0, W_xh, W_hh, b_h, W_hy, b_y, dL_dy_hat):
    h, _ = rnn_forward_numpy(x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    B, T, _ = x.shape
    grads = {k: np.zeros_like(v) for k, v in dict(W_hy=W_hy, b_y=b_y, W_hh=W_hh, W_xh=W_xh, b_h=b_h).items()}
    for b in range(B):
        states = [h0[b]] + [h[b, t] for t in range(T)]         # states[k] is h_k
        for t in range(1, T + 1):
            g_y = dL_dy_hat[b, t - 1]
            grads["W_hy"] += np.outer(g_y, states[t])
            grads["b_y"] += g_y
            g_h = W_hy.T @ g_y                                   # dL_t/dh_t as a column
            for k in range(t, 0, -1):                            # the path h_k -> ... -> h_t
                g_a = g_h * (1 - states[k] ** 2)                 # through tanh at step k
                grads["W_hh"] += np.outer(g_a, states[k - 1])
                grads["W_xh"] += np.outer(g_a, x[b, k - 1])
                grads["b_h"] += g_a
                g_h = W_hh.T @ g_a                               # dh_k/dh_{k-1} transposed
    return grads["W_hy"], grads["b_y"], grads["W_hh"], grads["W_xh"], grads["b_h"]
