"""Sets h_t = O_t * C_t, without squashing the cell state with tanh."""
HINT = "output_uses_c"

import torch


class LSTMCell(LSTMCell):  # noqa: F821 (the solution's LSTMCell, defined above)
    def forward(self, x_t, state):
        h_prev, c_prev = state
        i, f, g, o = (x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T + self.bias).chunk(4, dim=1)
        c_t = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * c_t, c_t
