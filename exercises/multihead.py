"""Scaled dot-product attention, multi-head attention, and permutation equivariance.

Part A: attention modules
-------------------------
Write scaled dot-product attention and multi-head attention as ``torch.nn.Module``s.

For queries ``Q`` (T_q x d_k), keys ``K`` (T_k x d_k) and values ``V`` (T_k x d_v) of one sequence,

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V,

where the softmax runs along each ROW of the (T_q x T_k) score matrix: row i holds how much query i
attends to each of the T_k keys, and it sums to 1. Multi-head attention with ``h`` heads and model
width ``D`` (``d_k = D / h``) projects the inputs with four D x D linear maps,

    head_i = Attention(Q W_q^i, K W_k^i, V W_v^i)            (i = 1 .. h, each W^i is D x d_k)
    MHA(Q, K, V) = concat(head_1, ..., head_h) W_o,

where ``W_q^i`` is the block of columns ``i*d_k .. (i+1)*d_k - 1`` of the full projection ``W_q``
(so head ``i`` works on features ``i*d_k .. (i+1)*d_k - 1`` of ``w_q(query)``, exactly as in
``nn.MultiheadAttention``), and the heads are concatenated back in the same order.

Conventions, fixed for the whole exercise:

* Batch first: sequences have shape ``(B, T, D)``.
* Masks are boolean tensors where **True means "may attend"** and False means "blocked"
  (the convention of ``F.scaled_dot_product_attention``; note that ``nn.MultiheadAttention``'s
  ``attn_mask`` uses the opposite one). Entry ``[i, j]`` says whether query ``i`` may look at key ``j``.
  A blocked score gets weight exactly 0 after the softmax (set it to ``-inf`` before the softmax).
  The grader never sends a mask that blocks every key of a query.
* Dropout (if any) is applied to the attention weights, after the softmax; it is only active in
  training mode. The grader compares outputs in ``eval()`` mode or with ``dropout=0``.

Rule (checked by reading your file and by running your modules with the built-ins switched off):
from ``torch.nn`` you may use only ``nn.Module`` (to subclass), ``nn.Linear``, ``nn.Softmax`` and
``nn.Dropout`` (plus the containers ``nn.ModuleList`` and ``nn.Parameter`` if you want them). No
``F.scaled_dot_product_attention``, no ``nn.MultiheadAttention`` or ``F.multi_head_attention_forward``,
no other ``nn`` layer. Plain torch functions are fine: ``torch.matmul``/``@``, ``torch.einsum``,
``Tensor.transpose``, ``view``/``reshape``, ``masked_fill``, ``torch.where``, ...

The parameter names are fixed: the grader copies its own weights into ``w_q``, ``w_k``, ``w_v`` and
``w_o`` before it runs your layer, and compares with ``F.scaled_dot_product_attention`` (and autograd
through it) using the same weights.

Part B: permutation equivariance
--------------------------------
Permuting the tokens of the input of self-attention (without positional encodings) permutes the
output the same way: ``T(P X) = P T(X)`` for every permutation matrix ``P``. With batch-first tensors,
"``P X``" is ``x[:, perm]``: new token ``t`` is old token ``perm[t]``. You write a numerical check of
this property, run it on attention and on a whole encoder layer, and show that it fails once
sinusoidal positional encodings are added to the input.

Graded by hand (write it in your report, not here): the proof that self-attention, the position-wise
MLP, LayerNorm and residual connections, and hence a whole encoder layer without positional
encodings, are permutation equivariant (the seed problem's "show formally" part).
"""
from __future__ import annotations

import math

import torch
from torch import nn


# ----------------------------------------------------------------------------- Part A
class ScaledDotProductAttention(nn.Module):
    """``softmax(Q K^T / sqrt(d_k)) V``, with an optional boolean mask and dropout on the weights.

    Args:
    - dropout: probability of dropping an attention weight in training mode (default 0)
    """

    def __init__(self, dropout: float = 0.0):
        """Create the softmax (``nn.Softmax``) and the dropout (``nn.Dropout``) you need."""
        super().__init__()
        raise NotImplementedError("__init__: replace this line with your solution (the docstring above says what to return)")

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        """Attend from the queries to the keys and average the values.

        Args:
        - q: queries, shape ``(..., T_q, d_k)``; ``...`` is any number of leading batch dimensions,
          e.g. ``(B,)`` or ``(B, h)``
        - k: keys, shape ``(..., T_k, d_k)``
        - v: values, shape ``(..., T_k, d_v)``
        - mask: None, or a boolean tensor that broadcasts to ``(..., T_q, T_k)``; True = may attend

        ``q``, ``k``, ``v`` are float32 or float64 (all three the same), and the scores may be of any size
        (use ``-inf`` for blocked keys). The arguments are left unchanged.

        Returns:
        - the output, shape ``(..., T_q, d_v)`` and the dtype of ``q``: row ``i`` is the weighted average of the
          value rows, with weights ``softmax`` over the keys of ``q_i . k_j / sqrt(d_k)`` (blocked keys get 0)
        """
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


class MultiHeadAttention(nn.Module):
    """Multi-head attention with ``num_heads`` heads of width ``d_k = d_model / num_heads``.

    Args:
    - d_model: D, the width of the inputs and of the output
    - num_heads: h; D is divisible by h
    - dropout: dropout probability on the attention weights (default 0)
    - bias: whether the four projections have biases (default True)

    Attributes (names fixed; the grader loads its weights into them):
    - w_q, w_k, w_v: ``nn.Linear(d_model, d_model, bias=bias)``, the query, key and value projections
      of all heads at once (head i uses output features ``i*d_k .. (i+1)*d_k - 1``)
    - w_o: ``nn.Linear(d_model, d_model, bias=bias)``, the output projection of the concatenated heads
    """

    def __init__(self, d_model: int, num_heads: int, dropout: float = 0.0, bias: bool = True):
        """Create ``w_q``, ``w_k``, ``w_v``, ``w_o`` and a ``ScaledDotProductAttention`` to use in forward."""
        super().__init__()
        raise NotImplementedError("__init__: replace this line with your solution (the docstring above says what to return)")

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        """Multi-head attention from ``query`` to ``key``/``value`` (self-attention: pass the same x three times).

        Args:
        - query: shape ``(B, T_q, D)``
        - key, value: shape ``(B, T_k, D)``
        - mask: None, or a boolean tensor of shape ``(T_q, T_k)`` (the same for every sequence) or
          ``(B, T_q, T_k)`` (one per sequence), shared by all heads; True = may attend. Leave it (and the
          inputs) unchanged: ``mask.unsqueeze(1)`` makes a new view, ``mask.unsqueeze_(1)`` changes the caller's.

        Returns:
        - shape ``(B, T_q, D)``

        Split each projection ``(B, T, D)`` into heads as ``(B, h, T, d_k)``: view it as
        ``(B, T, h, d_k)`` and swap the T and h axes; merge the heads back the reverse way.
        """
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part B
def sinusoidal_positional_encoding(num_positions: int, d_model: int) -> torch.Tensor:
    """The fixed sinusoidal encodings of "Attention is all you need" (given; do not change it).

    ``PE[t, 2i] = sin(t / 10000^(2i / d_model))`` and ``PE[t, 2i + 1] = cos(t / 10000^(2i / d_model))``;
    returns a float32 tensor of shape ``(num_positions, d_model)`` (any d_model >= 1).
    """
    position = torch.arange(num_positions, dtype=torch.float64).unsqueeze(1)
    rates = torch.pow(10000.0, -torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    pe = torch.zeros(num_positions, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * rates)
    pe[:, 1::2] = torch.cos(position * rates)[:, : d_model // 2]
    return pe.float()


def equivariance_error(f, x: torch.Tensor, perm) -> float:
    """How far ``f`` is from being equivariant to the token permutation ``perm`` on the input ``x``.

    Args:
    - f: a function (or module) mapping a batch ``(B, T, D)`` to ``(B, T, D')``
    - x: the input, shape ``(B, T, D)``
    - perm: a permutation of ``range(T)`` (a list of ints or a 1-D integer tensor); the permuted
      input is ``x[:, perm]`` (new token t is old token ``perm[t]``)

    Returns:
    - a Python float: the largest absolute difference, over all entries, between ``f`` applied to the
      permuted input and the output of ``f`` on ``x`` permuted the same way (0 for an exactly
      equivariant ``f``)
    """
    raise NotImplementedError("equivariance_error: replace this line with your solution (the docstring above says what to return)")


def is_permutation_equivariant(f, x: torch.Tensor, perm, tol: float = 1e-5) -> bool:
    """True when ``equivariance_error(f, x, perm) <= tol`` (rounding errors are not a failure)."""
    raise NotImplementedError("is_permutation_equivariant: replace this line with your solution (the docstring above says what to return)")


def add_positional(x: torch.Tensor) -> torch.Tensor:
    """``x`` of shape ``(B, T, D)`` plus the sinusoidal encoding of its positions.

    Returns ``x + PE`` where ``PE = sinusoidal_positional_encoding(T, D)`` is added to every sequence of
    the batch (token t of each sequence gets ``PE[t]``); the result has the dtype of ``x``, and ``x`` itself is
    left unchanged (no ``x += ...``).
    """
    raise NotImplementedError("add_positional: replace this line with your solution (the docstring above says what to return)")


def positional_demo(layer, x: torch.Tensor, perm, tol: float = 1e-5) -> tuple[bool, bool]:
    """Permutation equivariance of ``layer`` without and with positional encodings.

    Args:
    - layer: a function or module ``(B, T, D) -> (B, T, D)``, e.g. a Transformer encoder layer
    - x, perm, tol: as in ``is_permutation_equivariant`` (both checks use this ``tol``)

    Returns:
    - ``(without, with_pe)``: whether ``layer`` is permutation equivariant on ``x`` for ``perm``, and
      whether ``z -> layer(add_positional(z))`` is (use your functions above).
    """
    raise NotImplementedError("positional_demo: replace this line with your solution (the docstring above says what to return)")
