"""Attention by hand, attention masks, and why the scores are scaled by 1/sqrt(d_k).

Conventions used throughout this exercise:

* Scores are SCALED: score(q, k) = (q . k) / sqrt(d_k), where d_k is the length of the key
  vectors. This is the reading fixed for every part below, including Part B (some versions of
  that problem use plain dot products; here they are divided by sqrt(d_k) = sqrt(3)).
* Softmax runs over the KEYS: for each query, its weights over the keys sum to 1. With the
  usual layout (one row per query, one column per key) that is a row-wise softmax.
* A masked (forbidden) score is minus infinity *before* the softmax, so its weight is exactly 0.
* Vectors and time steps are numbered from 1 in the problem text (token 1, step 2, ...), but
  matrices in Python are indexed from 0.

Part A: causal self-attention by hand (graded exactly with sympy)
-------------------------------------------------------------------
T = 3 tokens with d_model = 2, given as the rows of

    X = [[1, 0],
         [0, 1],
         [1, 1]]

and d_k = d_v = 2, W_Q = W_K = W_V = I (the 2x2 identity), so Q = K = V = X.
Form the scores S = Q K^T / sqrt(2), apply a causal mask (token t attends to tokens 1..t only:
entries above the diagonal become -oo), take the row-wise softmax A, and the outputs Y = A V.

Part B: the attention output at one step (graded exactly with sympy)
--------------------------------------------------------------------
Three time steps with keys, values and queries in R^3:

    keys    k1 = (2, 0, 0),  k2 = (3, -1, 0),  k3 = (1, 0, 2)
    values  v1 = (5, 4, 5),  v2 = (3, 5, 5),   v3 = (1, 2, 4)
    queries q1 = (1, 0, 4),  q2 = (2, -1, 3),  q3 = (4, 6, 1)

The output at time step 2 uses the query q2, attends to all three keys (no mask), and is
a2 = sum_j alpha_j v_j with alpha = softmax(q2 . k1 / sqrt(3), q2 . k2 / sqrt(3), q2 . k3 / sqrt(3)).
Then mask the future: q2 may only look at k1, k2 (so v3 gets weight 0).

How to write Part A and B answers: return ``sympy.Matrix`` objects. Entries may be exact
(``sympy.exp``, ``sympy.sqrt``, ``sympy.Rational``, ``-sympy.oo``; any equivalent form is
accepted) or floats correct to about 6 significant digits. Masked scores must be minus
infinity (``-sympy.oo``; ``float("-inf")`` is the same thing), not a large negative number.
A numpy array or a torch tensor of floats is accepted as well.

Part C: masks (graded with hypothesis against independent oracles)
-------------------------------------------------------------------
Shapes are batch-first: B sequences of T tokens, H heads, attention scores of shape
(B, H, T, T) with axis -2 the query position i and axis -1 the key position j. A mask is a
``torch.bool`` tensor in which True means "query i MAY attend to key j" (the convention of
``F.scaled_dot_product_attention``; note that ``nn.MultiheadAttention``'s ``key_padding_mask``
uses the opposite one). A padded batch stores sequence b in positions 0..lengths[b]-1 and
padding after that; every length is at least 1. Padding is masked on the KEY axis: no query
may attend to a padding token (padded queries still get an output; it is ignored later).
Use torch (or numpy; a numpy bool / float array of the right shape is accepted).

Part D: why scale by sqrt(d_k)? (sympy, and a Monte Carlo check)
-----------------------------------------------------------------
q and k are independent random vectors in R^d whose entries are i.i.d. normal with mean mu and
standard deviation sigma. Use the sympy symbols

    mu = sympy.Symbol("mu", real=True)
    sigma = sympy.Symbol("sigma", positive=True)
    d = sympy.Symbol("d", positive=True, integer=True)

Find E[q . k] and Var[q . k] in terms of mu, sigma and d, then the special case of the
problem "T = 1, Q and K standard normal" (mu = 0, sigma = 1, d = d_k), and write a Monte
Carlo estimate of both moments to check your formulas numerically.

Graded by hand (not by these tests; write it where your instructor says): one way to mask v3
out of a2 in Part B and why it works; and, from Var[q . k], why dividing the scores by
sqrt(d_k) keeps the softmax out of its flat, small-gradient regime as d_k grows.
"""
from __future__ import annotations

import numpy as np
import sympy
import torch


# ----------------------------------------------------------------------------- Part A
def answer_causal_scores() -> sympy.Matrix:
    """The masked score matrix S of Part A.

    Returns:
    - a 3x3 sympy Matrix: S[i, j] = (q_i . k_j) / sqrt(2) for j <= i, and -oo above the diagonal
    """
    # BEGIN SOLUTION
    X = sympy.Matrix([[1, 0], [0, 1], [1, 1]])
    Q = K = X * sympy.eye(2)
    S = Q * K.T / sympy.sqrt(2)
    return sympy.Matrix(3, 3, lambda i, j: S[i, j] if j <= i else -sympy.oo)
    # END SOLUTION


def answer_causal_weights() -> sympy.Matrix:
    """The attention weights A of Part A (row-wise softmax of the masked S).

    Returns:
    - a 3x3 sympy Matrix; each row sums to 1 and the masked entries are 0
    """
    # BEGIN SOLUTION
    S = answer_causal_scores()
    E = S.applyfunc(sympy.exp)                 # exp(-oo) = 0: masked entries vanish
    return sympy.Matrix(3, 3, lambda i, j: E[i, j] / sum(E.row(i)))
    # END SOLUTION


def answer_causal_outputs() -> sympy.Matrix:
    """The outputs Y = A V of Part A.

    Returns:
    - a 3x2 sympy Matrix, one row per token
    """
    # BEGIN SOLUTION
    V = sympy.Matrix([[1, 0], [0, 1], [1, 1]]) * sympy.eye(2)
    return answer_causal_weights() * V
    # END SOLUTION


# ----------------------------------------------------------------------------- Part B
def _step2_setting():
    """Keys, values and queries of Part B as lists of sympy column vectors."""
    keys = [sympy.Matrix(v) for v in ([2, 0, 0], [3, -1, 0], [1, 0, 2])]
    values = [sympy.Matrix(v) for v in ([5, 4, 5], [3, 5, 5], [1, 2, 4])]
    queries = [sympy.Matrix(v) for v in ([1, 0, 4], [2, -1, 3], [4, 6, 1])]
    return keys, values, queries


def answer_step2_weights() -> sympy.Matrix:
    """The attention weights (alpha_1, alpha_2, alpha_3) of q2 over k1, k2, k3 (no mask).

    Returns:
    - a 3x1 sympy Matrix (a column) that sums to 1
    """
    # BEGIN SOLUTION
    keys, _, queries = _step2_setting()
    q = queries[1]                             # time step 2 is index 1
    exps = [sympy.exp(q.dot(k) / sympy.sqrt(3)) for k in keys]
    return sympy.Matrix([e / sum(exps) for e in exps])
    # END SOLUTION


def answer_step2_output() -> sympy.Matrix:
    """The output a2 = alpha_1 v1 + alpha_2 v2 + alpha_3 v3 at time step 2 (no mask).

    Returns:
    - a 3x1 sympy Matrix
    """
    # BEGIN SOLUTION
    _, values, _ = _step2_setting()
    alpha = answer_step2_weights()
    return sum((alpha[j] * values[j] for j in range(3)), sympy.zeros(3, 1))
    # END SOLUTION


def answer_step2_masked_output() -> sympy.Matrix:
    """The output at time step 2 when q2 may only attend to k1 and k2 (the score of k3 is -oo).

    Returns:
    - a 3x1 sympy Matrix
    """
    # BEGIN SOLUTION
    keys, values, queries = _step2_setting()
    q = queries[1]
    exps = [sympy.exp(q.dot(k) / sympy.sqrt(3)) for k in keys[:2]]
    return sum((e / sum(exps) * v for e, v in zip(exps, values[:2])), sympy.zeros(3, 1))
    # END SOLUTION


# ----------------------------------------------------------------------------- Part C
def causal_mask(T: int) -> torch.Tensor:
    """The causal mask for T tokens.

    Returns:
    - a torch.bool tensor of shape (T, T) whose entry [i, j] is True when query i may attend to
      key j, i.e. when j <= i
    """
    # BEGIN SOLUTION
    positions = torch.arange(T)
    return positions[None, :] <= positions[:, None]
    # END SOLUTION


def padding_mask(lengths: torch.Tensor, T: int) -> torch.Tensor:
    """Which positions of a padded batch hold real tokens.

    Args:
    - lengths: int64 tensor of shape (B,), 1 <= lengths[b] <= T
    - T: the padded length

    Returns:
    - a torch.bool tensor of shape (B, T) whose entry [b, j] is True when j < lengths[b]
    """
    # BEGIN SOLUTION
    return torch.arange(T)[None, :] < lengths[:, None]
    # END SOLUTION


def attention_mask(lengths: torch.Tensor, T: int, causal: bool = True) -> torch.Tensor:
    """The mask for a batch of padded sequences, ready to broadcast over heads.

    Args:
    - lengths: int64 tensor of shape (B,), 1 <= lengths[b] <= T
    - T: the padded length
    - causal: whether query i may only attend to keys j <= i as well (default True)

    Returns:
    - a torch.bool tensor of shape (B, 1, T, T) (the 1 is the head axis) whose entry [b, 0, i, j] is
      True when key j of sequence b is a real token and (if causal) j <= i
    """
    # BEGIN SOLUTION
    keep = padding_mask(lengths, T)[:, None, None, :]        # (B, 1, 1, T): mask keys, every query
    if causal:
        keep = keep & causal_mask(T)[None, None]             # (1, 1, T, T)
    return keep.expand(lengths.shape[0], 1, T, T).clone()
    # END SOLUTION


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Attention weights from scores and a mask.

    Args:
    - scores: float tensor of shape (B, H, T, T) (query axis -2, key axis -1)
    - mask: torch.bool tensor that broadcasts to scores' shape, e.g. (B, 1, T, T), (B, 1, 1, T) or
      (T, T); True means "may attend". Every query has at least one key it may attend to.

    Returns:
    - a tensor of the shape and dtype of scores: the softmax over the keys (the last axis) of the
      scores, where the masked scores were replaced by -inf first. Masked weights are exactly 0 and
      every row sums to 1. The scores may be of any size (even far below -1e9), so a large negative
      number is no substitute for -inf. scores and mask are left unchanged: return a new tensor.
    """
    # BEGIN SOLUTION
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    # END SOLUTION


# ----------------------------------------------------------------------------- Part D
MU = sympy.Symbol("mu", real=True)
SIGMA = sympy.Symbol("sigma", positive=True)
D = sympy.Symbol("d", positive=True, integer=True)


def answer_dot_mean() -> sympy.Expr:
    """E[q . k] for independent q, k in R^d with i.i.d. N(mu, sigma^2) entries.

    Returns:
    - a sympy expression in the symbols mu, sigma, d of the task text
    """
    # BEGIN SOLUTION
    t = sympy.Symbol("t")                  # raw moments of N(mu, sigma^2) from its mgf
    m = [sympy.diff(sympy.exp(MU * t + SIGMA**2 * t**2 / 2), t, r).subs(t, 0) for r in range(2)]
    return D * m[1] * m[1]                 # d terms q_i k_i, each with mean E[q_i] E[k_i]
    # END SOLUTION


def answer_dot_variance() -> sympy.Expr:
    """Var[q . k] for independent q, k in R^d with i.i.d. N(mu, sigma^2) entries.

    Returns:
    - a sympy expression in the symbols mu, sigma, d of the task text
    """
    # BEGIN SOLUTION
    t = sympy.Symbol("t")
    m = [sympy.diff(sympy.exp(MU * t + SIGMA**2 * t**2 / 2), t, r).subs(t, 0) for r in range(3)]
    # the d terms q_i k_i are independent; each has E[(q_i k_i)^2] = E[q_i^2] E[k_i^2]
    return sympy.factor(D * (m[2] * m[2] - (m[1] * m[1]) ** 2))
    # END SOLUTION


def answer_standard_normal_scores() -> tuple:
    """The problem's special case: T = 1, Q and K standard normal (mu = 0, sigma = 1, d = d_k).

    Returns:
    - a tuple (mean, var, scaled_var) of sympy expressions in d (or numbers): the mean and the
      variance of the unscaled score q . k, and the variance of the scaled score q . k / sqrt(d)
    """
    # BEGIN SOLUTION
    at = {MU: 0, SIGMA: 1}
    mean, var = answer_dot_mean().subs(at), answer_dot_variance().subs(at)
    return (sympy.simplify(mean), sympy.simplify(var), sympy.simplify(var / D))
    # END SOLUTION


def dot_moments_monte_carlo(mu: float, sigma: float, d: int, n_samples: int, seed: int) -> tuple[float, float]:
    """Monte Carlo estimates of E[q . k] and Var[q . k].

    Draw n_samples independent pairs (q, k), each vector with d i.i.d. N(mu, sigma^2) entries,
    and return the sample mean and the sample variance of the n_samples dot products.
    Use only a random generator seeded with ``seed`` (``np.random.default_rng(seed)`` or
    ``torch.Generator().manual_seed(seed)``), so that the same arguments give the same result and
    another seed another one. Leave the global generators alone (no ``np.random.seed``,
    ``torch.manual_seed``, ``np.random.normal`` or ``torch.randn`` without a generator): the caller's
    random state must be the same after the call.

    Returns:
    - (mean, var), two Python floats
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    q = rng.normal(mu, sigma, size=(n_samples, d))
    k = rng.normal(mu, sigma, size=(n_samples, d))
    dots = np.einsum("nd,nd->n", q, k)
    return float(dots.mean()), float(dots.var(ddof=1))
    # END SOLUTION
