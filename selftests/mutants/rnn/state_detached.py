"""Detaches the state between time steps (to "save memory"), so the forward pass is right but no gradient
flows back through time."""
HINT = "state_detached"

import torch


class RNNLayer(RNNLayer):  # noqa: F821 (the solution's RNNLayer, defined above)
    def forward(self, x, h0=None):
        batch, steps, _ = x.shape
        h_t = x.new_zeros(batch, self.cell.W_hh.shape[0]) if h0 is None else h0
        states = []
        for t in range(steps):
            h_t = self.cell(x[:, t], h_t if t == 0 else h_t.detach())
            states.append(h_t)
        h = torch.stack(states, dim=1)
        return h @ self.W_hy.T + self.b_y, h
