"""Starts every step from the initial state instead of the previous step's (h, C)."""
HINT = "state_not_carried"

import torch


class LSTMLayer(LSTMLayer):  # noqa: F821 (the solution's LSTMLayer, defined above)
    def forward(self, x, state=None):
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.cell.weight_hh.shape[1])
            state = (zeros, zeros)
        outs = [self.cell(x[:, t], state) for t in range(x.shape[1])]
        return torch.stack([h for h, _ in outs], dim=1), outs[-1]
