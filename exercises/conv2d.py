"""Convolution from scratch: a loop version, a vectorised version, and a benchmark.

You write two ``torch.nn.Module``s that compute what ``nn.Conv2d`` computes (no dilation,
no groups), then time them against PyTorch.

Conventions (the same as PyTorch's):

* Inputs are batch-first, channels-first: ``x`` has shape ``(N, C_in, H, W)``; the output has
  shape ``(N, C_out, H_out, W_out)`` with, along each axis,
  ``H_out = floor((H + 2 * padding - kernel) / stride) + 1``.
* What deep-learning libraries call "convolution" is a cross-correlation: the kernel is slid over
  the input *without* being flipped,
  ``out[n, o, i, j] = bias[o] + sum_{c, a, b} weight[o, c, a, b] * xp[n, c, i * s_h + a, j * s_w + b]``,
  where ``xp`` is ``x`` with ``padding`` zeros added on every side (top, bottom, left, right).
* ``kernel_size``, ``stride`` and ``padding`` are each an int (the same along H and W) or a pair
  ``(along H, along W)``.
* The parameters are named and shaped exactly as in ``nn.Conv2d``: ``weight`` of shape
  ``(C_out, C_in, kernel_h, kernel_w)`` and ``bias`` of shape ``(C_out,)``, both ``nn.Parameter``s;
  with ``bias=False`` the layer has no bias and ``self.bias`` is ``None``. The grader copies its own
  weights into these two parameters before it runs your layer, so the forward and gradient tests do
  not depend on your initialisation; still, initialise them like ``nn.Conv2d`` (uniform in
  ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]`` with ``fan_in = C_in * kernel_h * kernel_w``) so that the
  layers are usable for training. The parameter test checks this loosely: finite values, a weight
  that is not constant, and a root mean square of at most ``2/sqrt(fan_in)`` for the weight and the
  bias (Kaiming's normal init or a zero bias pass; an unscaled ``torch.randn`` does not).
* Gradients come from autograd: build the output from differentiable torch operations on ``x``,
  ``self.weight`` and ``self.bias`` (no ``.detach()``, ``.data``, ``.item()``, numpy or
  ``torch.no_grad()`` in the forward pass). The grader checks the gradients with respect to the
  input, the weight and the bias against those of ``F.conv2d``.

Rules (each is checked, by reading your class's source and by running your layer with the
forbidden functions switched off, and is worth points of its own):

* ``Conv2d``: Python loops over the output positions (or over the kernel's taps) with tensor
  operations inside them. Not allowed: ``F.conv2d``, ``torch.conv2d``, ``nn.Conv2d``, any other
  built-in convolution (``conv1d``, ``conv3d``, ``conv_transpose2d``, ``torch.convolution``),
  ``F.unfold`` / ``nn.Unfold`` / ``Tensor.unfold`` and ``as_strided``.
* ``FasterConv2d``: no Python loop over output positions. Build the patch matrix (im2col) with
  ``F.unfold`` or ``Tensor.unfold`` (or by hand), then use one matrix product (``@``, ``matmul``,
  ``bmm``, ``baddbmm``, ``einsum``). Not allowed: ``F.conv2d``, ``torch.conv2d``, ``nn.Conv2d`` or
  any other built-in convolution.

Graded automatically: both layers (forward and gradients) against ``F.conv2d`` on many small
random settings, their parameters (names, shapes, initial scale), the rules above, and
``benchmark()``: the dictionary it returns (its keys, and that each ratio agrees with its timings)
and that it follows the timing recipe of its docstring; never how fast your code is.

Graded by hand (write the answers in your report, not here): run the benchmark on your machine
with ``python exercises/conv2d.py``, then say (iii) how many times faster your ``FasterConv2d`` was
than your ``Conv2d``, and how many times faster PyTorch was than your ``FasterConv2d``, on a batch
of 16 one-channel 28x28 images; and (iv) give a reason why the PyTorch implementation is faster.
"""
from __future__ import annotations

import math
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn


def _pair(value, name: str) -> tuple[int, int]:
    """An int or a pair of ints -> a pair of ints."""
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return (int(value[0]), int(value[1]))


class Conv2d(nn.Module):
    """2D convolution (cross-correlation) written with explicit Python loops.

    Args:
    - in_channels, out_channels: C_in and C_out
    - kernel_size: an int or a pair (kernel_h, kernel_w)
    - stride: an int or a pair (stride_h, stride_w); default 1
    - padding: an int or a pair (pad_h, pad_w) of zeros added on both sides; default 0
    - bias: whether the layer has a bias (one per output channel); default True

    Attributes (the grader loads its weights into these):
    - weight: ``nn.Parameter`` of shape (out_channels, in_channels, kernel_h, kernel_w)
    - bias: ``nn.Parameter`` of shape (out_channels,), or None when ``bias=False``
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, bias: bool = True):
        """Keep the settings (``kernel_size``, ``stride`` and ``padding`` as pairs, for ``forward``) and
        create the ``weight`` and ``bias`` parameters described above."""
        super().__init__()
        raise NotImplementedError("__init__: replace this line with your solution (the docstring above says what to return)")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve ``x`` of shape (N, C_in, H, W); return (N, C_out, H_out, W_out).

        Loop over the output positions; the rules in the module docstring say what is allowed.
        """
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


class FasterConv2d(Conv2d):
    """The same layer, vectorised: im2col (``F.unfold``) and one matrix product.

    It inherits ``Conv2d``'s constructor, so it has the same arguments and the same ``weight``
    and ``bias`` parameters. (You may write it as a separate ``nn.Module`` instead, as long as
    the constructor and the parameters stay the same.)
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve ``x`` of shape (N, C_in, H, W); return (N, C_out, H_out, W_out).

        No Python loop over output positions: build the (N, C_in*kh*kw, H_out*W_out) matrix of
        patches, multiply it by the weight viewed as (C_out, C_in*kh*kw), add the bias and reshape.
        """
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


def benchmark(batch_size: int = 16, repeats: int = 5) -> dict[str, float]:
    """Time Conv2d, FasterConv2d and ``F.conv2d`` on one batch of MNIST-sized images.

    The setting of the problem: a batch of ``batch_size`` random one-channel 28x28 images, shape
    (batch_size, 1, 28, 28), and a layer with 8 output channels, a 3x3 kernel, stride 1, no
    padding and a bias. All three implementations use the same weight and bias. Time one forward
    pass of each, under ``torch.no_grad()``, with ``time.perf_counter()``: run each once to warm
    up, then ``repeats`` times, and keep the median.

    Returns a dict with exactly these float entries:
    - "naive_seconds": the median time of one ``Conv2d`` forward pass
    - "fast_seconds": the same for ``FasterConv2d``
    - "torch_seconds": the same for ``F.conv2d``
    - "fast_speedup": how many times faster FasterConv2d is than Conv2d, naive_seconds / fast_seconds
    - "torch_speedup": how many times faster PyTorch is than FasterConv2d, fast_seconds / torch_seconds

    Do not round the numbers. (The grader calls this with small batches and few repeats and never
    checks how fast anything is; it does count the runs of each implementation, look at their inputs,
    weights and grad mode, and, while ``benchmark`` runs, make ``time.perf_counter()`` a clock that
    gives each run a set duration, so that it can check the medians.)
    """
    raise NotImplementedError("benchmark: replace this line with your solution (the docstring above says what to return)")


if __name__ == "__main__":
    report = benchmark()
    print(f"batch of 16 images 1x28x28, 8 filters 3x3, {torch.get_num_threads()} torch thread(s), "
          "median of 5 forward passes")
    for name in ("naive", "fast", "torch"):
        print(f"  {name:6s} {report[name + '_seconds'] * 1e3:9.3f} ms")
    print(f"FasterConv2d is {report['fast_speedup']:.1f}x faster than Conv2d; "
          f"F.conv2d is {report['torch_speedup']:.1f}x faster than FasterConv2d")
