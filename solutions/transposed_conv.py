"""Transposed convolution as a matrix.

Where does the name "transposed convolution" come from? A strided convolution is a
linear map, so it is a matrix A; the layer that upsamples (``nn.ConvTranspose1d``)
multiplies by A^T. This exercise makes that concrete.

Conventions (they match PyTorch):

* "Convolution" means what ``F.conv1d`` computes: cross-correlation, the kernel is NOT
  flipped. With stride s, output n of a kernel w of size K on an input u is
      y[n] = sum_{m=0}^{K-1} w[m] * u[s*n + m].
* Indices start at 0. One input and one output channel, no bias, throughout.

Part A: by hand, as sympy (graded exactly with sympy)
------------------------------------------------------
The input x = (x0, x1, x2, x3) is padded with one zero at each end,
x~ = (0, x0, x1, x2, x3, 0) (six entries), and a kernel w = (w0, w1, w2) slides over x~
with stride 2. That gives two outputs, y0 and y1.

Reading fixed for this exercise: A is the 2x6 matrix with y = A x~, i.e. A multiplies
the *padded* vector x~ (it has a column for each of the six entries of x~, the two padded
zeros included). z = (z0, z1) is a column vector and A^T z is a 6x1 column.

Build your matrices with the symbols ``sympy.symbols("w0 w1 w2 z0 z1", real=True)``:
the names and the assumption ``real=True`` matter (a symbol without it is a different
symbol to sympy). Return ``sympy.Matrix`` objects.

Part B: what PyTorch returns (graded with real torch)
------------------------------------------------------
``nn.ConvTranspose1d(1, 1, kernel_size=3, stride=2, bias=False)`` with its weight set to w,
applied to z, is said to compute A^T z. Run it: how many values does it really return, and
which entry of A^T z is missing? Line torch's output up with A^T z from its first entry.
Then find the ``padding`` and ``output_padding`` of ``nn.ConvTranspose1d`` that make it
return exactly the four entries of A^T z that sit on x0..x3 (A^T z without its first and last
entry): that layer is the transpose of the stride-2 convolution of x with ``padding=1``.

Part C: any length, kernel, stride and padding (graded with hypothesis against torch)
--------------------------------------------------------------------------------------
``conv_matrix`` builds the matrix of ``F.conv1d`` (stride, zero padding) acting on the
*unpadded* input x; ``conv_transpose_output`` returns what ``nn.ConvTranspose1d`` returns.
They are checked against ``F.conv1d`` / ``F.conv_transpose1d`` and with the adjoint identity
<A x, z> = <x, A^T z>. Any correct method is accepted (loops, or applying ``F.conv1d`` to
the columns of an identity matrix, ...). Note that ``conv_matrix(w, 6, stride=2)`` is the
numeric version of Part A's A, and ``conv_matrix(w, 4, stride=2, padding=1)`` is that A without
the two columns that meet the padded zeros.

Graded by hand (not by these tests; write it as a comment below or where your instructor says):
a few sentences explaining why overlapping contributions (like w2*z0 + w0*z1) are summed, and why
torch's output is shorter than A^T z.
"""
from __future__ import annotations

import sympy
import torch
from torch import nn
from torch.nn import functional as F


# ----------------------------------------------------------------------------- Part A
def answer_conv_matrix() -> sympy.Matrix:
    """The 2x6 matrix A with y = A x~ (stride 2, kernel (w0, w1, w2), x~ = (0, x0, x1, x2, x3, 0)).

    Returns:
    - a sympy Matrix of shape (2, 6) whose entries use the real symbols w0, w1, w2
    """
    # BEGIN SOLUTION
    w = sympy.symbols("w0 w1 w2", real=True)
    stride, padded_length = 2, 6
    outputs = (padded_length - len(w)) // stride + 1
    A = sympy.zeros(outputs, padded_length)
    for n in range(outputs):
        for m, w_m in enumerate(w):
            A[n, stride * n + m] = w_m
    return A
    # END SOLUTION


def answer_transposed_output() -> sympy.Matrix:
    """A^T z for z = (z0, z1) as a column.

    Returns:
    - a sympy Matrix of shape (6, 1) in the real symbols w0, w1, w2, z0, z1
    """
    # BEGIN SOLUTION
    z = sympy.Matrix(sympy.symbols("z0 z1", real=True))
    return answer_conv_matrix().T * z
    # END SOLUTION


# ----------------------------------------------------------------------------- Part B
def answer_conv_transpose_length() -> int:
    """How many values ``nn.ConvTranspose1d(1, 1, 3, stride=2, bias=False)`` returns for z = (z0, z1).

    Returns:
    - an int (the length of the output's last axis)
    """
    # BEGIN SOLUTION
    layer = nn.ConvTranspose1d(1, 1, 3, stride=2, bias=False, device="meta")
    return int(layer(torch.empty(1, 1, 2, device="meta")).shape[-1])
    # END SOLUTION


def answer_dropped_entries() -> tuple[int, ...]:
    """The entries of A^T z that are missing from that layer's output.

    Line the layer's output up with A^T z from the first entry (torch's output[i] is
    entry i of A^T z).

    Returns:
    - a tuple of 0-based indices into A^T z, increasing; ``()`` if nothing is missing
    """
    # BEGIN SOLUTION
    return tuple(range(answer_conv_transpose_length(), answer_transposed_output().rows))
    # END SOLUTION


def answer_transpose_padding() -> tuple[int, int]:
    """``(padding, output_padding)`` for which
    ``nn.ConvTranspose1d(1, 1, 3, stride=2, padding=padding, output_padding=output_padding, bias=False)``
    applied to z returns exactly entries 1, 2, 3, 4 of A^T z (the entries that sit on x0..x3).

    Returns:
    - a pair of ints
    """
    # BEGIN SOLUTION
    w, z = torch.tensor([[[2.0, 3.0, 5.0]]]), torch.tensor([[[7.0, 11.0]]])
    inner = F.conv_transpose1d(z, w, stride=2)[0, 0, 1:5]          # A^T z without its ends
    for padding in range(3):
        for output_padding in range(2):                             # must be below the stride
            out = F.conv_transpose1d(z, w, stride=2, padding=padding, output_padding=output_padding)
            if out.shape[-1] == 4 and torch.equal(out[0, 0], inner):
                return (padding, output_padding)
    raise AssertionError("no setting found")
    # END SOLUTION


# ----------------------------------------------------------------------------- Part C
def conv_matrix(w: torch.Tensor, length: int, stride: int = 1, padding: int = 0) -> torch.Tensor:
    """The matrix of a 1D convolution (cross-correlation) acting on an input of ``length`` values.

    Args:
    - w: 1D float tensor with the K kernel weights
    - length: length of the input x (before padding)
    - stride: step between windows
    - padding: zeros added at each end of x before the kernel slides

    Returns:
    - A, a 2D float tensor of shape (L_out, length) with L_out = (length + 2*padding - K) // stride + 1,
      such that ``A @ x == F.conv1d(x.view(1, 1, -1), w.view(1, 1, -1), stride=stride,
      padding=padding).view(-1)`` for every x of that length. The columns are for x itself:
      the padded zeros have no column. Use float64 (a numpy array is accepted too).
    """
    # BEGIN SOLUTION
    kernel = w.shape[0]
    outputs = (length + 2 * padding - kernel) // stride + 1
    A = torch.zeros(outputs, length, dtype=torch.float64)
    for n in range(outputs):
        for m in range(kernel):
            j = stride * n + m - padding       # position in x of the input under tap m
            if 0 <= j < length:
                A[n, j] = w[m]
    return A
    # END SOLUTION


def conv_transpose_output(w: torch.Tensor, z: torch.Tensor, stride: int = 2) -> torch.Tensor:
    """What ``nn.ConvTranspose1d(1, 1, K, stride=stride, bias=False)`` with weight w returns for z.

    Args:
    - w: 1D float32 tensor with the K kernel weights (the layer's weight is w.view(1, 1, K))
    - z: 1D float32 tensor, the layer's input (one batch element, one channel)
    - stride: the layer's stride

    Returns:
    - a 1D float tensor (float32, as the layer returns; float64 is accepted too): the layer's output
      without its batch and channel axes, exactly as many values as the layer returns
    """
    # BEGIN SOLUTION
    layer = nn.ConvTranspose1d(1, 1, w.shape[0], stride=stride, bias=False, dtype=z.dtype)
    with torch.no_grad():
        layer.weight.copy_(w.view(1, 1, -1))
        return layer(z.view(1, 1, -1)).view(-1)
    # END SOLUTION
