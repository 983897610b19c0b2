"""Softmax with a temperature.

Language models sample the next token from a softmax of the model's logits z = (z_1, ..., z_n)
"at temperature T > 0":

    softmax_T(z)_i = exp(z_i / T) / sum_j exp(z_j / T).

Low temperatures make the distribution peaked, high temperatures flatten it. This exercise
asks for an implementation that never overflows, for the two limit distributions, and for
a few limits done with sympy.

Conventions used throughout:

* Logits are a torch tensor of shape ``(..., n)`` (float32 or float64); the softmax runs over
  the LAST axis, independently for every leading index (a batch of logit vectors).
  Functions return a NEW tensor of the same shape and dtype, and leave the ``z`` they are given
  unchanged (no in-place operations on it, such as ``z /= T``).
* T is a Python float with 1e-8 <= T <= 1e8; logits are finite with |z_i| <= 1e4.
* Ties are exact: z_i and z_j are tied when ``z_i == z_j``; logits that differ, however little
  (say by 1e-12), are not tied.

Part A: ``softmax_T`` (graded against ``torch.softmax(z / T)`` computed in float64)
------------------------------------------------------------------------------------
Implement it yourself from ``torch.exp``, ``max``, ``sum`` and arithmetic. Rule (checked):
the built-ins ``torch.softmax``, ``F.softmax``, ``Tensor.softmax``, ``nn.Softmax``, the
``log_softmax`` versions and ``torch.logsumexp`` are switched off while it is graded. It must
return finite probabilities (no nan, no inf) over the whole range of T and z above:
exp(1e4 / 1e-8) does not fit in any float.

Part B: the limit distributions (graded on random logits with many ties)
------------------------------------------------------------------------
``softmax_limit_cold(z)`` is lim_{T -> 0+} softmax_T(z) and ``softmax_limit_hot(z)`` is
lim_{T -> oo} softmax_T(z). Work them out from the definition (what happens to
p_i / p_k = exp((z_i - z_k) / T)?), then implement them without calling ``softmax_T``.

Part C: limits with sympy (graded with sympy, or against answer keys for pure numbers)
--------------------------------------------------------------------------------------
Use the symbols ``a, b, c = sympy.symbols("a b c", real=True)``,
``d = sympy.Symbol("d", positive=True)`` and ``T = sympy.Symbol("T", positive=True)``
(the names and assumptions matter). Compute the limits with ``sympy.limit``; a tip:
``sympy.limit`` cannot decide the sign of a symbolic logit such as ``a``, but the softmax does
not change when the same number is subtracted from every logit, so subtract one first.
Answers that are vectors are tuples of sympy numbers (or floats); the others are sympy
expressions in the symbols above.

Graded by hand (not by these tests): a short argument why low temperatures make sampling
pick fewer distinct tokens and high temperatures make every token about equally likely.
"""
from __future__ import annotations

import sympy
import torch


# ----------------------------------------------------------------------------- Part A
def softmax_T(z: torch.Tensor, T: float) -> torch.Tensor:
    """The temperature softmax over the last axis of ``z``.

    Args:
    - z: logits, a float32 or float64 tensor of shape (..., n) with |z_i| <= 1e4
    - T: the temperature, a float with 1e-8 <= T <= 1e8

    Returns:
    - a tensor of the same shape and dtype: every row along the last axis is a probability
      vector (entries in [0, 1], summing to 1), with no nan or inf anywhere
    """
    raise NotImplementedError("softmax_T: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part B
def softmax_limit_cold(z: torch.Tensor) -> torch.Tensor:
    """lim_{T -> 0+} softmax_T(z), over the last axis of ``z``.

    Args:
    - z: logits, a float tensor of shape (..., n)

    Returns:
    - a tensor of the same shape and dtype with the limit distribution of every row
    """
    raise NotImplementedError("softmax_limit_cold: replace this line with your solution (the docstring above says what to return)")


def softmax_limit_hot(z: torch.Tensor) -> torch.Tensor:
    """lim_{T -> oo} softmax_T(z), over the last axis of ``z``.

    Args:
    - z: logits, a float tensor of shape (..., n)

    Returns:
    - a tensor of the same shape and dtype with the limit distribution of every row
    """
    raise NotImplementedError("softmax_limit_hot: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part C
def _symbols():
    a, b, c = sympy.symbols("a b c", real=True)
    return a, b, c, sympy.Symbol("d", positive=True), sympy.Symbol("T", positive=True)


def _softmax_sym(z, T):
    """softmax_T of a tuple of sympy logits, written with the first logit subtracted."""
    weights = [sympy.exp((z_i - z[0]) / T) for z_i in z]
    total = sum(weights)
    return [sympy.simplify(w / total) for w in weights]


def answer_cold_limit_pair() -> tuple:
    """lim_{T -> 0+} softmax_T(z) for z = (a, a + d) (the second logit is the larger).

    Returns:
    - a tuple of 2 numbers
    """
    raise NotImplementedError("answer_cold_limit_pair: replace this line with your solution (the docstring above says what to return)")


def answer_cold_limit_tie() -> tuple:
    """lim_{T -> 0+} softmax_T(z) for z = (a + d, a, a + d) (the first and last logits tie for the maximum).

    Returns:
    - a tuple of 3 numbers
    """
    raise NotImplementedError("answer_cold_limit_tie: replace this line with your solution (the docstring above says what to return)")


def answer_hot_limit() -> tuple:
    """lim_{T -> oo} softmax_T(z) for z = (a, b, c).

    Returns:
    - a tuple of 3 numbers
    """
    raise NotImplementedError("answer_hot_limit: replace this line with your solution (the docstring above says what to return)")


def answer_hot_rate() -> sympy.Expr:
    """How fast the softmax of z = (a, b) becomes uniform: lim_{T -> oo} T * (p_1(T) - 1/2),
    where p_1(T) = softmax_T(z)_1 is the probability of the first entry.

    Returns:
    - a sympy expression in a and b
    """
    raise NotImplementedError("answer_hot_rate: replace this line with your solution (the docstring above says what to return)")


def answer_cold_rate() -> sympy.Expr:
    """How fast the smaller entry of z = (a + d, a) dies out as T -> 0+: lim_{T -> 0+} -T * log(p_2(T)),
    where p_2(T) = softmax_T(z)_2 (so p_2(T) behaves like exp(-answer / T)).

    Returns:
    - a sympy expression in d (and possibly a)
    """
    raise NotImplementedError("answer_cold_rate: replace this line with your solution (the docstring above says what to return)")
