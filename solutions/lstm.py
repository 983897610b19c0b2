"""Long short-term memory (LSTM): one cell step and a layer over whole sequences.

The gate equations of the problem, at step t (sigma is the logistic sigmoid, * is the element-wise
product):

    F_t     = sigma(W_xf x_t + W_hf h_{t-1} + b_f)        forget gate
    I_t     = sigma(W_xi x_t + W_hi h_{t-1} + b_i)        input gate
    C~_t    = tanh(W_xc x_t + W_hc h_{t-1} + b_c)         candidate memory
    C_t     = F_t * C_{t-1} + I_t * C~_t                  long-term memory (cell state)
    O_t     = sigma(W_xo x_t + W_ho h_{t-1} + b_o)        output gate
    h_t     = O_t * tanh(C_t)                             short-term memory (hidden state)

Conventions (fixed here; everything is graded with them):

* Batch-first rows, as in ``nn.LSTM(batch_first=True)``: a batch of sequences ``x`` has shape
  (B, T, D); one step ``x[:, t]`` is (B, D); h_t and C_t are (B, H). On a batch of rows,
  ``W_xf x_t`` reads ``x_t @ W_xf.T`` (every W_x* is (H, D) and every W_h* is (H, H), as in the
  column-vector equations above), and every bias is a vector of shape (H,).
* The parameters are packed as in ``nn.LSTM``: the four gates' matrices are stacked by rows into
  ``weight_ih`` (4H, D) and ``weight_hh`` (4H, H), and their biases into ``bias`` (4H,). The blocks
  of H rows come in **PyTorch's order i, f, g, o**, which is *not* the order the problem lists the
  gates in::

      rows 0H..1H: input gate I_t          (W_xi, W_hi, b_i)
      rows 1H..2H: forget gate F_t         (W_xf, W_hf, b_f)
      rows 2H..3H: candidate C~_t, "g"     (W_xc, W_hc, b_c)
      rows 3H..4H: output gate O_t         (W_xo, W_ho, b_o)

  so, e.g., ``W_xf = weight_ih[H:2H]``. ``nn.LSTM`` keeps two biases, ``bias_ih_l0`` and
  ``bias_hh_l0``; they always appear as a sum, which is our ``bias``. The grader copies
  ``nn.LSTM``'s ``weight_ih_l0``, ``weight_hh_l0`` and ``bias_ih_l0 + bias_hh_l0`` into your
  parameters and compares the results.
* A state is a pair ``(h, c)`` of (B, H) tensors; a missing initial state means zeros for both.

Graded automatically: ``LSTMCell`` against ``nn.LSTMCell``, ``LSTMLayer`` against ``nn.LSTM``
(every hidden state, the final h and C, and the gradients by autograd). Write the gate equations
yourself with differentiable torch operations (no ``.detach()``, ``.data``, numpy or
``torch.no_grad()``); the point is the equations, not a call of ``nn.LSTM``.

Graded by hand (write them in your report, not here): what I_t * C~_t represents and why it is
added to F_t * C_{t-1}; why h_t is O_t * tanh(C_t); the IMDB training runs and their plots.
"""
from __future__ import annotations

import math

import torch
from torch import nn


class LSTMCell(nn.Module):
    """One LSTM step with the gate equations above.

    Attributes (the grader copies its weights into these ``nn.Parameter``s):
    - weight_ih: (4 * hidden_size, input_size), blocks in the order i, f, g, o
    - weight_hh: (4 * hidden_size, hidden_size), same order
    - bias: (4 * hidden_size,), same order
    """

    def __init__(self, input_size: int, hidden_size: int):
        """Create the three parameters; initialise them uniformly in [-1/sqrt(H), 1/sqrt(H)] (as
        ``nn.LSTM`` does) so that the cell can be trained. The grader checks this loosely: finite values,
        weight matrices that are not constant, and a root mean square of at most 2/sqrt(H) per
        parameter (orthogonal or Xavier weights and zero biases pass; torch.randn or torch.rand do not)."""
        super().__init__()
        # BEGIN SOLUTION
        self.input_size, self.hidden_size = input_size, hidden_size
        bound = 1 / math.sqrt(hidden_size)
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size).uniform_(-bound, bound))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(4 * hidden_size).uniform_(-bound, bound))
        # END SOLUTION

    def forward(self, x_t: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor,
                                                                                           torch.Tensor]:
        """x_t: (B, input_size); state: (h_prev, c_prev), each (B, hidden_size).

        Returns the new state ``(h_t, c_t)``, each (B, hidden_size).
        """
        # BEGIN SOLUTION
        h_prev, c_prev = state
        gates = x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T + self.bias     # (B, 4H)
        i, f, g, o = gates.chunk(4, dim=1)                                          # PyTorch's order
        c_t = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
        h_t = torch.sigmoid(o) * torch.tanh(c_t)
        return h_t, c_t
        # END SOLUTION


class LSTMLayer(nn.Module):
    """The LSTM over a batch of sequences: ``cell`` applied for t = 1..T.

    Attributes (the grader copies its weights into these):
    - cell: an ``LSTMCell(input_size, hidden_size)``
    """

    def __init__(self, input_size: int, hidden_size: int):
        """Create ``cell``."""
        super().__init__()
        # BEGIN SOLUTION
        self.cell = LSTMCell(input_size, hidden_size)
        # END SOLUTION

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """x: (B, T, input_size); state: (h_0, c_0), each (B, hidden_size), or None (zeros).

        Returns ``(h, (h_T, c_T))`` like ``nn.LSTM(batch_first=True)`` but without its layer axis:
        h of shape (B, T, hidden_size) holds h_1..h_T, and h_T, c_T (each (B, hidden_size)) are the
        final hidden state and cell state.
        """
        # BEGIN SOLUTION
        batch, steps, _ = x.shape
        if state is None:
            zeros = x.new_zeros(batch, self.cell.weight_hh.shape[1])
            state = (zeros, zeros)
        hs = []
        for t in range(steps):
            state = self.cell(x[:, t], state)
            hs.append(state[0])
        return torch.stack(hs, dim=1), state
        # END SOLUTION
