"""Attention over the 3x3 neighbourhoods of an image, with NumPy.

Attention maps a query and a set of (key, value) pairs to a weighted sum of the values, with
weights from a softmax of query-key scores. Here the "sequence" is the 3x3 neighbourhood of a
pixel: like a convolution, a 3x3 window slides over the image, but instead of summing the
products of the window with a kernel, the nine products with a *key* kernel become scores, a
softmax turns them into nine weights, and the output is the weighted sum of a *value* kernel.

Conventions used throughout (they fix the reading of the problem):

* An image is a NumPy float64 array of shape (H, W, C_in): height, width, channels last.
  H >= 3 and W >= 3.
* The model has one key kernel and one value kernel per output channel o = 0 .. C_out - 1:
      keys   k of shape (C_out, 3, 3, C_in)   k[o, a, b] is a vector in R^{C_in}
      values v of shape (C_out, 3, 3)         v[o, a, b] is a number (a 3x3x1 kernel)
* Stride 1 and no padding, so the output Y has shape (H - 2, W - 2, C_out). The window of
  output pixel (i, j) covers the input pixels (i + a, j + b) for a, b in {0, 1, 2} (the top-left
  corner of the window is (i, j); the kernel is not flipped, as in a deep-learning convolution).
* For each output pixel (i, j) and output channel o, the query at window position (a, b) is the
  pixel vector x[i + a, j + b, :] (all C_in channels), and
      s[a, b]     = x[i + a, j + b, :] . k[o, a, b, :]                 (nine scores)
      alpha[a, b] = exp(s[a, b]) / sum over the nine (a', b') of exp(s[a', b'])
      Y[i, j, o]  = sum over the nine (a, b) of alpha[a, b] * v[o, a, b]
  The softmax runs over the nine window positions, separately for every (i, j, o).
* Return NumPy float64 arrays. The attention functions do NOT normalise their input: the full
  model applies ``normalize_channels`` first and attention to its result.
* Leave the arrays you are given unchanged (no in-place operation such as ``image /= ...`` on an
  argument): the caller still needs them.
* Any float64 input is allowed, also one whose scores are in the thousands (positive or negative):
  the softmax must stay finite there (exp(1000) overflows to inf in float64).

Part A: preprocessing. ``normalize_channels`` divides every channel by its Frobenius norm
(the square root of the sum of the squares of its H*W entries), so that each channel has norm 1.

Part B: the number of trainable parameters of the model, as a sympy expression in the symbols
``C_in`` and ``C_out`` defined below (graded with sympy).

Part C: ``attention_loops``, written with Python loops over the output pixels (any loops you like).

Part D: ``attention_vectorized``, the same function with NumPy operations and no Python loops
at all: no ``for``/``while``, no comprehensions, no ``map``/``np.vectorize``/
``np.apply_along_axis``, also not in helper functions of your file that it calls (the grader reads
the function's code and that of the functions it calls). ``np.lib.stride_tricks.sliding_window_view``
and ``np.einsum`` are useful.

Parts A, C and D are graded against an independent implementation and against each other on
random images of random sizes.

Graded by hand (not by these tests; write it as a comment below or where your instructor says):
how this operation differs from a convolution with the key kernel, and what the softmax lets
the model do that a convolution cannot.
"""
from __future__ import annotations

import numpy as np
import sympy

# The symbols of Part B (use these objects: their names and assumptions matter).
C_in, C_out = sympy.symbols("C_in C_out", integer=True, positive=True)


# ----------------------------------------------------------------------------- Part A
def normalize_channels(image: np.ndarray) -> np.ndarray:
    """Each channel divided by its Frobenius norm.

    Args:
    - image: array of shape (H, W, C) with no channel that is all zeros

    Returns:
    - a float64 array of shape (H, W, C) whose channel c is image[:, :, c] / ||image[:, :, c]||_F
      (a new array: ``image`` itself is left unchanged)
    """
    # BEGIN SOLUTION
    image = np.asarray(image, dtype=np.float64)
    norms = np.sqrt(np.sum(image ** 2, axis=(0, 1), keepdims=True))     # (1, 1, C)
    return image / norms
    # END SOLUTION


# ----------------------------------------------------------------------------- Part B
def answer_num_parameters() -> sympy.Expr:
    """The number of trainable parameters of the model (all key and value kernels), in C_in and C_out."""
    # BEGIN SOLUTION
    key_shape, value_shape = (C_out, 3, 3, C_in), (C_out, 3, 3)
    return sympy.expand(sympy.Mul(*key_shape) + sympy.Mul(*value_shape))
    # END SOLUTION


# ----------------------------------------------------------------------------- Part C
def attention_loops(x: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Neighbourhood attention with Python loops.

    Args:
    - x: image, shape (H, W, C_in), H >= 3, W >= 3
    - k: key kernels, shape (C_out, 3, 3, C_in)
    - v: value kernels, shape (C_out, 3, 3)

    Returns:
    - Y, a float64 array of shape (H - 2, W - 2, C_out), as defined in the module docstring
    """
    # BEGIN SOLUTION
    height, width, _ = x.shape
    out_channels = k.shape[0]
    y = np.zeros((height - 2, width - 2, out_channels))
    for i in range(height - 2):
        for j in range(width - 2):
            window = x[i:i + 3, j:j + 3, :]                         # (3, 3, C_in): the nine queries
            for o in range(out_channels):
                scores = np.sum(window * k[o], axis=-1)             # (3, 3)
                weights = np.exp(scores - scores.max())
                weights /= weights.sum()
                y[i, j, o] = np.sum(weights * v[o])
    return y
    # END SOLUTION


# ----------------------------------------------------------------------------- Part D
def attention_vectorized(x: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Neighbourhood attention without any Python loop (same arguments and result as attention_loops)."""
    # BEGIN SOLUTION
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(0, 1))   # (H-2, W-2, C_in, 3, 3)
    scores = np.einsum("ijcab,oabc->ijoab", windows, k)                          # (H-2, W-2, C_out, 3, 3)
    flat = scores.reshape(*scores.shape[:3], 9)
    weights = np.exp(flat - flat.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.einsum("ijon,on->ijo", weights, v.reshape(v.shape[0], 9))
    # END SOLUTION
