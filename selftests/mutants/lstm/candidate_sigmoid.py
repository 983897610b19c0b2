"""Uses the sigmoid for the candidate memory too, as for the three gates."""
HINT = "candidate_sigmoid"

import torch


class LSTMCell(LSTMCell):  # noqa: F821 (the solution's LSTMCell, defined above)
    def forward(self, x_t, state):
        h_prev, c_prev = state
        i, f, g, o = torch.sigmoid(x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T + self.bias).chunk(4, dim=1)
        c_t = f * c_prev + i * g
        return o * torch.tanh(c_t), c_t
