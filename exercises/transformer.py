"""Transformer encoder layers: fix a buggy layer, count its parameters, build a pre-LN layer.

Conventions (fixed for every part below):

* Inputs are batch-first: ``x`` has shape ``(B, T, D)`` with ``D = d_model``; every layer returns a
  tensor of the same shape ``(B, T, D)``.
* ``n_heads`` divides ``d_model``; each head works on ``d_head = d_model // n_heads`` features. Head
  ``h`` uses features ``h * d_head`` to ``(h + 1) * d_head - 1`` of the projected queries, keys and
  values (reshape ``(B, T, D)`` to ``(B, T, n_heads, d_head)``), and the heads' outputs are put back
  side by side in the same order before the output projection ``W_o``.
* ``mask`` is an optional *padding mask*: a bool tensor of shape ``(B, T)``, ``True`` for a real
  token and ``False`` for padding (padding may sit anywhere in a sequence, not only at its end). A padded
  position must get zero attention weight as a *key*, from every query and in every head, however
  negative the real scores are. (Padded positions still produce an output row as queries; it is
  graded like any other row.) Every sequence has at least one real token. ``mask=None`` means no
  padding.
* Attention scores are ``q . k / sqrt(d_head)``; the softmax runs over the keys (last axis).
* ``forward`` returns a new tensor: it leaves its inputs ``x`` and ``mask`` unchanged (no in-place
  updates such as ``x += ...`` on them).
* The feed-forward network (FFN) is ``ff2(relu(ff1(x)))``: ``d_model -> d_ff -> d_model``.
* LayerNorms are ``nn.LayerNorm(d_model)`` (default eps 1e-5, with a learnable scale and shift).
* Parameter names are fixed (the grader copies its own weights into them before running your layer):
  ``W_q``, ``W_k``, ``W_v`` are ``nn.Linear(d_model, d_model, bias=False)``; ``W_o`` is
  ``nn.Linear(d_model, d_model)`` (with bias); ``ff1`` and ``ff2`` are the FFN's two ``nn.Linear``s
  (with biases); ``ln1`` and ``ln2`` are the two LayerNorms. A layer has no other parameters.
* Any torch operation is allowed.

Part A (find and fix the bugs). ``BuggyTransformerLayer`` below is given code: a post-LN encoder
layer (multi-head self-attention, a feed-forward MLP, residual connections and LayerNorms) with five
mistakes in it. Write ``TransformerLayer``, the same layer with all five fixed: same parameter names,
same post-LN order ``x = ln1(x + attention(x)); x = ln2(x + FFN(x))``. Graded automatically: the
output of your layer, with the grader's weights, on random inputs with and without padding masks,
against PyTorch's own ``nn.TransformerEncoderLayer`` (with the same weights); each of the five bugs
has a test of its own, on inputs built so that only that bug shows.

Graded by hand (write it in your report, not here): for each bug, what is wrong and why (the shapes
of q, k, v and the attention output; where the scaling goes; how the mask reaches the scores; the
dimensions of the FFN and of the LayerNorms).

Part B (count parameters). The number of trainable parameters of your ``TransformerLayer`` as a
sympy expression in the symbols ``D`` (= d_model) and ``d_ff`` defined below, with the biases of the
given layer (none on ``W_q``, ``W_k``, ``W_v``; one on ``W_o``, ``ff1``, ``ff2``; LayerNorms with
scale and shift); its value at ``D = 128``, ``d_ff = 512``; and the same two answers for the variant
where all four attention projections have a bias. Graded automatically: the formulas symbolically
(against counts of real ``torch.nn`` modules of many sizes) and the two values.

Part C (a pre-LN layer with dropout). ``PreLNTransformerLayer`` normalises *before* each sublayer:
``x = x + drop(attention(ln1(x)))``, then ``x = x + drop(FFN(ln2(x)))``, with dropout in the three
places its docstring names. Graded automatically: in eval mode and in train mode (with a fixed
random seed) against ``nn.TransformerEncoderLayer(..., norm_first=True)`` with the same weights, and
that dropout changes nothing in eval mode.
"""
from __future__ import annotations

import math

import sympy
import torch
import torch.nn.functional as F
from torch import nn

# ----------------------------------------------------------------------------- given code (Part A)


class BuggyTransformerLayer(nn.Module):
    """GIVEN CODE, with five bugs: do not fix it here (the grader never calls it); write
    ``TransformerLayer`` below instead. It only runs at all when ``d_ff == d_model``."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int):
        super().__init__()
        self.d_model, self.n_heads = d_model, n_heads
        self.d_head = d_model // n_heads
        # attention projections
        self.W_q = nn.Linear(d_model, d_model, bias=False)
        self.W_k = nn.Linear(d_model, d_model, bias=False)
        self.W_v = nn.Linear(d_model, d_model, bias=False)
        self.W_o = nn.Linear(d_model, d_model)
        # position-wise feed-forward network
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_model, d_ff)
        # normalisation
        self.ln1 = nn.LayerNorm(d_ff)
        self.ln2 = nn.LayerNorm(d_ff)

    def split_heads(self, t: torch.Tensor) -> torch.Tensor:
        """(B, T, D) -> (B, n_heads, T, d_head)"""
        B, T, _ = t.shape
        return t.reshape(B, T, self.n_heads, self.d_head).transpose(1, 2)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        B, T, D = x.shape
        q = self.split_heads(self.W_q(x))
        k = self.split_heads(self.W_k(x))
        v = self.split_heads(self.W_v(x))

        scores = q @ k.transpose(-2, -1)                 # (B, n_heads, T, T)
        if mask is not None:
            scores = scores.masked_fill(mask == 0, 0.0)
        weights = torch.softmax(scores, dim=-1)
        heads = weights @ v                               # (B, n_heads, T, d_head)
        attn = heads.transpose(1, 2).reshape(B, T, D)

        x = self.ln1(x + self.W_o(attn))
        ff = self.ff2(torch.relu(self.ff1(x)))
        x = self.ln2(x + ff)
        return x


# ----------------------------------------------------------------------------- Part A


class TransformerLayer(nn.Module):
    """The given layer with its five bugs fixed (post-LN, no dropout).

    ``TransformerLayer(d_model, n_heads, d_ff)`` has exactly the parameters ``W_q``, ``W_k``, ``W_v``
    (``nn.Linear(d_model, d_model, bias=False)``), ``W_o`` (``nn.Linear(d_model, d_model)``), ``ff1``,
    ``ff2`` (the FFN, ``d_model -> d_ff -> d_model``, with biases) and ``ln1``, ``ln2`` (LayerNorms over
    the features of the tensors they normalise).

    ``forward(x, mask=None)``: ``x`` of shape ``(B, T, d_model)``; ``mask`` None or a bool ``(B, T)``
    padding mask (True = real token). Returns ``ln2(h + FFN(h))`` with ``h = ln1(x + W_o(attn))``,
    where ``attn`` is multi-head scaled dot-product self-attention of ``x`` in which no query attends
    to a padded key; shape ``(B, T, d_model)``.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int):
        super().__init__()
        raise NotImplementedError("__init__: replace this line with your solution (the docstring above says what to return)")

    def attention(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Multi-head self-attention of ``x`` (B, T, D), before ``W_o``; returns (B, T, D).

        A helper for ``forward`` (you may compute attention differently; only ``forward`` is graded)."""
        raise NotImplementedError("attention: replace this line with your solution (the docstring above says what to return)")

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part B
D, d_ff = sympy.symbols("D d_ff", positive=True, integer=True)


def param_count_formula() -> sympy.Expr:
    """The number of trainable parameters of ``TransformerLayer(D, n_heads, d_ff)``, as a sympy
    expression in the symbols ``D`` and ``d_ff`` of this module (it does not depend on n_heads).
    Biases as in the given layer: none on W_q, W_k, W_v; W_o, ff1 and ff2 have one; each LayerNorm
    has a scale and a shift."""
    raise NotImplementedError("param_count_formula: replace this line with your solution (the docstring above says what to return)")


def param_count_formula_all_biases() -> sympy.Expr:
    """The same count when all four attention projections (W_q, W_k, W_v and W_o) have a bias
    (the FFN and the LayerNorms as before); a sympy expression in ``D`` and ``d_ff``."""
    raise NotImplementedError("param_count_formula_all_biases: replace this line with your solution (the docstring above says what to return)")


def answer_param_count_128_512() -> int:
    """The value of ``param_count_formula()`` at D = 128, d_ff = 512 (an int)."""
    raise NotImplementedError("answer_param_count_128_512: replace this line with your solution (the docstring above says what to return)")


def answer_param_count_all_biases_128_512() -> int:
    """The value of ``param_count_formula_all_biases()`` at D = 128, d_ff = 512 (an int)."""
    raise NotImplementedError("answer_param_count_all_biases_128_512: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part C


class PreLNTransformerLayer(nn.Module):
    """A pre-LN encoder layer with dropout.

    ``PreLNTransformerLayer(d_model, n_heads, d_ff, dropout=0.1)`` has the same parameters, with the
    same names and shapes, as ``TransformerLayer`` (and no others); ``dropout`` is the drop
    probability p of every dropout.

    ``forward(x, mask=None)`` (same ``x`` and ``mask`` as ``TransformerLayer``) returns

        h   = x + drop(W_o(attn(ln1(x))))                   (dropout 1: after the attention sublayer)
        out = h + drop(ff2(drop(relu(ff1(ln2(h))))))        (dropout 2: inside the MLP, after the ReLU;
                                                             dropout 3: after the MLP)

    where ``attn`` is the masked multi-head self-attention of Part A. There is no dropout on the
    attention weights and no LayerNorm after the last residual addition.

    Dropout: use ``nn.Dropout(p)`` modules (or ``F.dropout(t, p, training=self.training)``), so that it
    is active in train mode and does nothing in eval mode. The grader checks train mode by calling
    ``torch.manual_seed(s)`` just before your ``forward`` and comparing with PyTorch's layer under the
    same seed, so the random masks must be drawn by exactly three dropout calls, in the order 1, 2, 3
    above (on tensors of shapes (B, T, D), (B, T, d_ff), (B, T, D)), and no other random numbers may be
    drawn inside ``forward``. Dropout fills its random mask in the tensor's memory order, so give it
    contiguous tensors (the outputs of ``nn.Linear`` and of ``relu`` are; a ``.transpose`` view is not).
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.1):
        super().__init__()
        raise NotImplementedError("__init__: replace this line with your solution (the docstring above says what to return)")

    def attention(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Multi-head self-attention of ``x`` (B, T, D), before ``W_o``; returns (B, T, D). A helper, as
        in ``TransformerLayer`` (only ``forward`` is graded)."""
        raise NotImplementedError("attention: replace this line with your solution (the docstring above says what to return)")

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")
