"""Starts the layer from zeros whatever h0 it is given (the default for h0=None hard-coded)."""
HINT = "h0_ignored"

import torch


class RNNLayer(RNNLayer):  # noqa: F821 (the solution's RNNLayer, defined above)
    def forward(self, x, h0=None):
        batch, steps, _ = x.shape
        h_t = torch.zeros(batch, self.W_hy.shape[1])
        states = []
        for t in range(steps):
            h_t = self.cell(x[:, t], h_t)
            states.append(h_t)
        h = torch.stack(states, dim=1)
        return h @ self.W_hy.T + self.b_y, h
