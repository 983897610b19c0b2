"""Feeds h0 to the cell at every step instead of the state the previous step produced."""
HINT = "state_not_carried"

import torch


class RNNLayer(RNNLayer):  # noqa: F821 (the solution's RNNLayer, defined above)
    def forward(self, x, h0=None):
        batch, steps, _ = x.shape
        if h0 is None:
            h0 = x.new_zeros(batch, self.W_hy.shape[1])
        h = torch.stack([self.cell(x[:, t], h0) for t in range(steps)], dim=1)
        return h @ self.W_hy.T + self.b_y, h
