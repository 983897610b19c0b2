"""Uses the given h_0 but starts the cell state from zeros, ignoring the given C_0."""
HINT = "c0_ignored"

import torch


class LSTMLayer(LSTMLayer):  # noqa: F821 (the solution's LSTMLayer, defined above)
    def forward(self, x, state=None):
        zeros = x.new_zeros(x.shape[0], self.cell.weight_hh.shape[1])
        h_t = zeros if state is None else state[0]
        c_t = zeros
        hs = []
        for t in range(x.shape[1]):
            h_t, c_t = self.cell(x[:, t], (h_t, c_t))
            hs.append(h_t)
        return torch.stack(hs, dim=1), (h_t, c_t)
