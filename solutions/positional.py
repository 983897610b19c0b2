"""Sinusoidal positional encodings and why they carry relative positions.

Self-attention without positional information cannot tell the order of its tokens apart.
The original Transformer adds to each token a fixed vector that depends on its position p,
built from sines and cosines at d/2 different frequencies. This exercise builds that
encoding and works out, with sympy, what the dot product of two encodings looks like.

Conventions used throughout (they fix the reading of the problem):

* Positions are p = 0, 1, ..., max_len - 1. ``d_model`` (written d) is even.
* There are d/2 frequencies, one per (sin, cos) pair, numbered k = 0, 1, ..., d/2 - 1:
      omega_k = 1 / 10000**(2k / d)          (so omega_0 = 1, and they shrink towards 1/10000)
* The encoding interleaves the pairs: column 2k holds the sine, column 2k + 1 the cosine,
      PE(p)[2k]     = sin(omega_k * p)
      PE(p)[2k + 1] = cos(omega_k * p)
  so PE(p) = (sin(omega_0 p), cos(omega_0 p), sin(omega_1 p), cos(omega_1 p), ...).
* For a single frequency omega, pe_omega(p) is the column vector (sin(omega p), cos(omega p)).

Part A: the encoding (graded against the formula above on many sizes)
----------------------------------------------------------------------
``positional_encoding(max_len, d_model)`` returns the (max_len, d_model) matrix whose row p is
PE(p). Use numpy or torch, loops or broadcasting, as you like.

Part B: the identities, as sympy expressions (graded with sympy)
----------------------------------------------------------------
Build every answer from the symbols defined in this module (``p, q, omega, k, d, a, b, d_k``);
their names and assumptions matter (a symbol without the same assumptions is a different
symbol to sympy). Answers are compared with the expected expression by simplifying the
difference and by evaluating both at random points, so any equivalent form is accepted,
except where a docstring asks for a particular form ("written in p - q").

1. The squared norm of one pair, ||pe_omega(p)||^2, simplified.
2. The dot product pe_omega(p)^T pe_omega(q), written as a function of the offset p - q
   (the grader substitutes p = q + t and expands the arguments: q must disappear without
   any trigonometric identity).
3. The dot product <PE(p), PE(q)> of the full encodings of Part A, for a general even d, as a
   ``sympy.Sum`` over the frequency index k, also written in p - q.
4. Attention scores. Let the tokens be their own encodings with a single frequency (d = 2):
   x_p = pe_omega(p). With query and key matrices W_q, W_k (d x d_k), the score from p to q is
       s_pq = (x_p^T W_q)(x_q^T W_k)^T / sqrt(d_k) = x_p^T M x_q / sqrt(d_k),   M = W_q W_k^T.
   For the rotation-like M = [[a, -b], [b, a]] (rows listed top to bottom) give s_pq as a
   function of p - q. Expand it yourself: do not trust a printed answer.

Graded by hand (not by these tests; write it as a comment below or where your instructor says):
what happens to pe_omega(p) geometrically as p varies (and its period); why the identities mean
that the encodings give attention access to *relative* positions although they are defined from
absolute ones; and, for a general M, which terms of s_pq depend on p - q only.
"""
from __future__ import annotations

import math

import numpy as np
import sympy
import torch

# The symbols every Part B answer is built from (use these objects, do not redefine them).
p, q = sympy.symbols("p q", real=True)                      # two positions
omega = sympy.Symbol("omega", positive=True)                  # one frequency
k = sympy.Symbol("k", integer=True, nonnegative=True)          # frequency index, 0 .. d/2 - 1
d = sympy.Symbol("d", integer=True, positive=True, even=True)  # d_model
a, b = sympy.symbols("a b", real=True)                        # entries of the rotation-like M
d_k = sympy.Symbol("d_k", positive=True)                      # key dimension in the 1/sqrt(d_k) scaling


# ----------------------------------------------------------------------------- Part A
def positional_encoding(max_len: int, d_model: int):
    """The sinusoidal positional encodings of positions 0 .. max_len - 1.

    Args:
    - max_len: number of positions (>= 1)
    - d_model: size of each encoding (even, >= 2)

    Returns:
    - a torch.Tensor (or numpy array) of shape (max_len, d_model), float32 or float64, whose
      row p is PE(p): column 2k holds sin(omega_k p) and column 2k + 1 holds cos(omega_k p), with
      omega_k = 1 / 10000**(2k / d_model)
    """
    # BEGIN SOLUTION
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)            # (max_len, 1)
    pair = torch.arange(0, d_model, 2, dtype=torch.float64)                      # 2k for k = 0 .. d/2 - 1
    frequency = torch.exp(-math.log(10000.0) * pair / d_model)                   # omega_k
    angle = position * frequency                                                 # (max_len, d/2)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.to(torch.float32)
    # END SOLUTION


# ----------------------------------------------------------------------------- Part B
def answer_pair_norm() -> sympy.Expr:
    """||pe_omega(p)||^2 for one frequency, simplified (a sympy expression)."""
    # BEGIN SOLUTION
    pe_p = sympy.Matrix([sympy.sin(omega * p), sympy.cos(omega * p)])
    return sympy.trigsimp((pe_p.T * pe_p)[0, 0])     # sin^2 + cos^2
    # END SOLUTION


def answer_pair_dot() -> sympy.Expr:
    """pe_omega(p)^T pe_omega(q) written as a function of p - q (a sympy expression in omega, p, q)."""
    # BEGIN SOLUTION
    pe_p = sympy.Matrix([sympy.sin(omega * p), sympy.cos(omega * p)])
    pe_q = sympy.Matrix([sympy.sin(omega * q), sympy.cos(omega * q)])
    dot = (pe_p.T * pe_q)[0, 0]
    return sympy.trigsimp(dot)          # sin A sin B + cos A cos B = cos(A - B)
    # END SOLUTION


def answer_full_dot() -> sympy.Expr:
    """<PE(p), PE(q)> for the encoding of Part A with a general even d.

    Returns:
    - a sympy.Sum over the frequency index k (use the symbols k and d), written as a function
      of p - q; e.g. the shape of the answer is sympy.Sum(<term in k, d and p - q>, (k, <first>, <last>))
    """
    # BEGIN SOLUTION
    omega_k = 1 / sympy.Integer(10000) ** (2 * k / d)
    return sympy.Sum(sympy.cos(omega_k * (p - q)), (k, 0, d / 2 - 1))
    # END SOLUTION


def answer_rotation_score() -> sympy.Expr:
    """s_pq = x_p^T M x_q / sqrt(d_k) for x_p = pe_omega(p) and M = [[a, -b], [b, a]], in p - q.

    Returns:
    - a sympy expression in a, b, d_k, omega, p, q that depends on p and q only through p - q
    """
    # BEGIN SOLUTION
    x_p = sympy.Matrix([sympy.sin(omega * p), sympy.cos(omega * p)])
    x_q = sympy.Matrix([sympy.sin(omega * q), sympy.cos(omega * q)])
    M = sympy.Matrix([[a, -b], [b, a]])
    bilinear = sympy.expand((x_p.T * M * x_q)[0, 0])
    # Group by a and b; each group is a difference formula (cos(A - B), and sin(A - B) up to sign).
    grouped = a * sympy.trigsimp(bilinear.coeff(a)) + b * sympy.trigsimp(bilinear.coeff(b))
    return grouped / sympy.sqrt(d_k)
    # END SOLUTION
