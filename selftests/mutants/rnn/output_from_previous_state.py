"""Computes y_hat_t from the state before the update (h_{t-1}), as p(y_t | h_{t-1}) in the text suggests."""
HINT = "output_from_previous_state"

import torch


class RNNLayer(RNNLayer):  # noqa: F821 (the solution's RNNLayer, defined above)
    def forward(self, x, h0=None):
        batch, steps, _ = x.shape
        h_t = x.new_zeros(batch, self.W_hy.shape[1]) if h0 is None else h0
        hs, ys = [], []
        for t in range(steps):
            ys.append(h_t @ self.W_hy.T + self.b_y)
            h_t = self.cell(x[:, t], h_t)
            hs.append(h_t)
        return torch.stack(ys, dim=1), torch.stack(hs, dim=1)
