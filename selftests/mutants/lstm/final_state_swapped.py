"""Returns the final state as (C_T, h_T) instead of (h_T, C_T)."""
HINT = "final_state"


class LSTMLayer(LSTMLayer):  # noqa: F821 (the solution's LSTMLayer, defined above)
    def forward(self, x, state=None):
        h, (h_T, c_T) = super().forward(x, state)
        return h, (c_T, h_T)
