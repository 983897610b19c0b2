"""Simple (Elman) recurrent networks: the forward pass, the shapes in backpropagation through time
(BPTT), and BPTT written by hand in NumPy.

The network. For t = 1, ..., T

    h_t     = tanh(W_hh h_{t-1} + W_xh x_t + b_h)
    y_hat_t = W_hy h_t + b_y

and the loss is L = sum_t L_t(y_t, y_hat_t). The problem set writes a generic sigma for the
hidden nonlinearity; in this exercise it is **tanh** (the nonlinearity of ``nn.RNN``'s default).
The output layer has no nonlinearity.

Conventions (fixed here; everything is graded with them):

* The sizes are named as in the problem: B the batch size, T the sequence length, H the hidden size
  and D the embedding size of the input. The problem calls D the "input/output embedding dimension":
  in Part 2 the output y_hat_t has size D too. The code of Parts 1 and 3 allows another output size
  O (read it off W_hy / b_y); do not assume O == D there.
* Batch-first, one example per row: a batch of sequences ``x`` has shape (B, T, D); its step t is
  ``x[:, t]`` of shape (B, D); the hidden states are (B, H) per step, the outputs (B, O) per step.
* The weights keep the orientation of the equations above (of ``nn.RNN`` and ``nn.Linear``):
  W_xh is (H, D), W_hh is (H, H), W_hy is (O, H); the biases are vectors, b_h of shape (H,) and
  b_y of shape (O,). On a batch of rows the equations read
  ``h_t = tanh(x_t @ W_xh.T + h_{t-1} @ W_hh.T + b_h)`` and ``y_hat_t = h_t @ W_hy.T + b_y``,
  which is the column-vector equation applied to every row.
* The initial state h_0 has shape (B, H); ``None`` means zeros. The "hidden states" returned are
  h_1, ..., h_T (not h_0), stacked batch-first into (B, T, H); the outputs y_hat_1, ..., y_hat_T
  into (B, T, O).

Part 1 (graded against ``nn.RNNCell``, ``nn.RNN`` and ``nn.Linear`` with the same weights; their
two biases ``bias_ih + bias_hh`` are our b_h): ``RNNCell`` and ``RNNLayer``. Write the step and
the loop over time yourself, with differentiable torch operations on the inputs and the parameters
(the gradients are compared too, so no ``.detach()``, ``.data``, numpy or ``torch.no_grad()``).

Part 2 (checked with sympy): the shapes of x_t, y_hat_t, h_t, W_xh, W_hh, W_hy, b_h, b_y, as tuples
of sympy expressions in the symbols ``B``, ``H``, ``D`` defined below (a vector's shape is a
1-tuple such as ``(H,)``).

Part 3 (graded against torch autograd): ``rnn_forward_numpy`` and ``bptt_gradients``.
Rule: NumPy only, no torch, no autograd (nor any other automatic differentiation library). It is
checked by reading these two functions, and every graded call of them runs with torch's tensor
constructors and autograd switched off, so gradients obtained with torch earn no points.

Graded by hand (write them in your report, not here): the training runs on IMDB, the BPTT
derivations (the multivariate chain rule, dh_t/dW_hh with no dh_i/dh_j for i > j + 1,
dL/dW_hh, dL/dW_xh) and which term causes vanishing or exploding gradients, and why.
"""
from __future__ import annotations

import math

import numpy as np
import sympy
import torch
from torch import nn

# The sizes of Part 2, as sympy symbols: use these in your answers.
B, H, D = sympy.symbols("B H D", positive=True, integer=True)


# ----------------------------------------------------------------------------- Part 1
class RNNCell(nn.Module):
    """One step of the Elman RNN: h_t = tanh(x_t @ W_xh.T + h_prev @ W_hh.T + b_h).

    Attributes (the grader copies its weights into these ``nn.Parameter``s):
    - W_xh: (hidden_size, input_size)
    - W_hh: (hidden_size, hidden_size)
    - b_h: (hidden_size,)
    """

    def __init__(self, input_size: int, hidden_size: int):
        """Create the three parameters above; initialise them uniformly in [-1/sqrt(H), 1/sqrt(H)]
        (as ``nn.RNN`` does) so that the cell can be trained. The grader checks this loosely: finite values,
        weight matrices that are not constant, a root mean square of at most 2/sqrt(H) per parameter, and
        entries centred on 0 (a mean far below their root mean square, as a symmetric range gives)
        (orthogonal or Xavier weights and zero biases pass; torch.randn, torch.rand, a range [0, k]
        or a constant non-zero bias do not)."""
        super().__init__()
        raise NotImplementedError("__init__: replace this line with your solution (the docstring above says what to return)")

    def forward(self, x_t: torch.Tensor, h_prev: torch.Tensor) -> torch.Tensor:
        """x_t: (B, input_size), h_prev: (B, hidden_size) -> h_t: (B, hidden_size)."""
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


class RNNLayer(nn.Module):
    """The whole Elman RNN over a batch of sequences: the cell applied for t = 1..T, and the
    output layer y_hat_t = h_t @ W_hy.T + b_y on every step.

    Attributes (the grader copies its weights into these):
    - cell: an ``RNNCell(input_size, hidden_size)`` (with its W_xh, W_hh, b_h)
    - W_hy: ``nn.Parameter`` of shape (output_size, hidden_size)
    - b_y: ``nn.Parameter`` of shape (output_size,)
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int):
        """Create ``cell``, ``W_hy`` and ``b_y`` (initialise W_hy and b_y uniformly in
        [-1/sqrt(H), 1/sqrt(H)], as ``nn.Linear(H, output_size)`` does; checked as in ``RNNCell``)."""
        super().__init__()
        raise NotImplementedError("__init__: replace this line with your solution (the docstring above says what to return)")

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (B, T, input_size); h0: (B, hidden_size) or None (zeros).

        Returns ``(y_hat, h)``: y_hat of shape (B, T, output_size) holds y_hat_1..y_hat_T and h of
        shape (B, T, hidden_size) holds h_1..h_T (``h[:, -1]`` is the final state).
        """
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part 2
# Shapes under the conventions above (batch-first rows, weights as in the equations), with the
# output size equal to D as in the problem. Return tuples of sympy expressions in B, H, D.

def answer_shape_x_t() -> tuple:
    """The shape of x_t (one time step of a batch)."""
    raise NotImplementedError("answer_shape_x_t: replace this line with your solution (the docstring above says what to return)")


def answer_shape_y_hat_t() -> tuple:
    """The shape of y_hat_t."""
    raise NotImplementedError("answer_shape_y_hat_t: replace this line with your solution (the docstring above says what to return)")


def answer_shape_h_t() -> tuple:
    """The shape of h_t."""
    raise NotImplementedError("answer_shape_h_t: replace this line with your solution (the docstring above says what to return)")


def answer_shape_W_xh() -> tuple:
    """The shape of W_xh."""
    raise NotImplementedError("answer_shape_W_xh: replace this line with your solution (the docstring above says what to return)")


def answer_shape_W_hh() -> tuple:
    """The shape of W_hh."""
    raise NotImplementedError("answer_shape_W_hh: replace this line with your solution (the docstring above says what to return)")


def answer_shape_W_hy() -> tuple:
    """The shape of W_hy."""
    raise NotImplementedError("answer_shape_W_hy: replace this line with your solution (the docstring above says what to return)")


def answer_shape_b_h() -> tuple:
    """The shape of b_h (a 1-tuple)."""
    raise NotImplementedError("answer_shape_b_h: replace this line with your solution (the docstring above says what to return)")


def answer_shape_b_y() -> tuple:
    """The shape of b_y (a 1-tuple)."""
    raise NotImplementedError("answer_shape_b_y: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part 3
# NumPy only in this part (see the rule in the module docstring). Arrays are float64, and so are the
# results. Do not modify the arguments in place (return new arrays).

def rnn_forward_numpy(x: np.ndarray, h0: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray,
                      W_hy: np.ndarray, b_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The forward pass of ``RNNLayer`` in NumPy.

    Args: x (B, T, D), h0 (B, H), W_xh (H, D), W_hh (H, H), b_h (H,), W_hy (O, H), b_y (O,).

    Returns ``(h, y_hat)``: NumPy arrays, h of shape (B, T, H) with h_1..h_T and y_hat of shape
    (B, T, O). (Note the order: states first here.)
    """
    raise NotImplementedError("rnn_forward_numpy: replace this line with your solution (the docstring above says what to return)")


def bptt_gradients(x: np.ndarray, h0: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray,
                   W_hy: np.ndarray, b_y: np.ndarray,
                   dL_dy_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backpropagation through time, by hand: run the forward pass, then the backward pass.

    Args: as in ``rnn_forward_numpy``, plus ``dL_dy_hat`` of shape (B, T, O), where
    ``dL_dy_hat[:, t]`` is dL_t/dy_hat_t for step t+1 (the gradient of the loss with respect to
    that step's outputs, one row per example). h0 is a given constant (no gradient for it).

    Returns the gradients of L = sum_t L_t, as a tuple of five NumPy arrays in this order,
    each shaped like its parameter:
    ``(dL/dW_hy (O, H), dL/db_y (O,), dL/dW_hh (H, H), dL/dW_xh (H, D), dL/db_h (H,))``.
    """
    raise NotImplementedError("bptt_gradients: replace this line with your solution (the docstring above says what to return)")
