"""Names every gate's W_x*, W_h*, b_* as in the problem (views of the packed parameters, by gate name),
computes each gate separately in float64 with F.linear and casts back to the input's dtype."""
import torch
import torch.nn.functional as F
from torch import nn

GATES = ("i", "f", "c", "o")   # PyTorch's packing order; "c" is the candidate (PyTorch's "g")


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.weight_ih = nn.Parameter(torch.randn(4 * hidden_size, input_size) * 0.1)
        self.weight_hh = nn.Parameter(torch.randn(4 * hidden_size, hidden_size) * 0.1)
        self.bias = nn.Parameter(torch.zeros(4 * hidden_size))

    def gate(self, name, x_t, h_prev):
        H = self.weight_hh.shape[1]
        k = GATES.index(name)
        rows = slice(k * H, (k + 1) * H)
        W_x, W_h, b = self.weight_ih[rows].double(), self.weight_hh[rows].double(), self.bias[rows].double()
        return F.linear(x_t.double(), W_x) + F.linear(h_prev.double(), W_h, b)

    def forward(self, x_t, state):
        h_prev, c_prev = state
        F_t = torch.sigmoid(self.gate("f", x_t, h_prev))
        I_t = torch.sigmoid(self.gate("i", x_t, h_prev))
        C_tilde = torch.tanh(self.gate("c", x_t, h_prev))
        O_t = torch.sigmoid(self.gate("o", x_t, h_prev))
        C_t = F_t * c_prev.double() + I_t * C_tilde
        h_t = O_t * torch.tanh(C_t)
        return h_t.to(x_t.dtype), C_t.to(x_t.dtype)


class LSTMLayer(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.cell = LSTMCell(input_size, hidden_size)

    def forward(self, x, state=None):
        T = x.shape[1]
        if state is None:
            z = torch.zeros(x.shape[0], self.cell.weight_hh.shape[1], dtype=x.dtype)
            state = (z, z.clone())
        hs = []
        t = 0
        while t < T:
            state = self.cell(x[:, t, :], state)
            hs.append(state[0])
            t += 1
        return torch.stack(hs, 1), (state[0], state[1])
