"""Detaches the state (h, C) between time steps (to "save memory"), so the forward pass is right but no
gradient flows back through time."""
HINT = "state_detached"

import torch


class LSTMLayer(LSTMLayer):  # noqa: F821 (the solution's LSTMLayer, defined above)
    def forward(self, x, state=None):
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.cell.weight_hh.shape[1])
            state = (zeros, zeros)
        hs = []
        for t in range(x.shape[1]):
            if t > 0:
                state = tuple(s.detach() for s in state)
            state = self.cell(x[:, t], state)
            hs.append(state[0])
        return torch.stack(hs, dim=1), state
