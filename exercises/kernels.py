"""Kernels by hand: a blur, a horizontal-edge and a diagonal-edge 3x3 kernel.

Design three 3x3 kernels yourself (write the numbers down; do not fit or search for them):

* ``blur_kernel()``: smooths an image,
* ``horizontal_edge_kernel()``: detects horizontal edges,
* ``diagonal_edge_kernel()``: detects diagonal edges,

and ``apply_kernel(image, kernel)``, the sliding-window operation that applies a kernel to an image,
so that you can try your kernels on small example matrices.

Conventions (they are the ones the grader uses):

* An image is a 2D array of shape ``(H, W)``. Row ``i`` counts from the top, column ``j`` from the
  left, so ``image[0, 0]`` is the top-left pixel.
* Applying a kernel means *cross-correlation*, as ``torch.nn.functional.conv2d`` does (no flipping):
  ``out[i, j] = sum over a, b of kernel[a, b] * image[i + a, j + b]``, in "valid" mode (no
  padding), so a ``kh x kw`` kernel turns an ``H x W`` image into ``(H - kh + 1) x (W - kw + 1)``.
* A **horizontal edge** is a boundary that runs horizontally (left to right) across the image: the
  intensity changes from top to bottom (e.g. a dark upper half above a bright lower half).
  A **vertical edge** runs top to bottom: the intensity changes from left to right.
* A **diagonal edge** runs at 45 degrees, either like ``\\`` (top-left to bottom-right) or like ``/``
  (bottom-left to top-right). Your diagonal kernel may pick either of the two.
* The sign of an edge response does not matter: dark-to-bright and bright-to-dark both count, and a
  kernel and its negative are equally good.
* A kernel is a 3x3 grid of real numbers: a nested list or tuple, a numpy array or a torch tensor
  (shape ``(3, 3)`` exactly, not ``(1, 1, 3, 3)``).

There are many right answers, so the kernels are graded by what they do, not by their values.
Below, "the response" to an edge is the largest absolute value of the kernel's output over the
image, divided by the edge's contrast (the difference between its bright and dark side). The test
edges are step edges at many positions and contrasts, either sharp or softened over 4 to 8 pixels;
the comparisons of neighbouring directions (45 degrees apart) use the softened edges only, because
on a sharp 45-degree staircase even a good detector cannot tell the directions apart.

* Blur: a constant image stays the same constant (up to float rounding), and on white-noise images
  the output's variance is at most 0.75 times the variance of the input pixels it was computed from.
* Horizontal edge: zero output on a constant image; the response to a horizontal edge is at least
  3 times the response to a vertical edge of the same contrast, and at least 1.2 times the response to
  a diagonal edge of either kind (a perfect gradient detector sees cos(45 deg) = 0.71 of a diagonal
  edge, so 1.2 is within every good kernel's reach); and the kernel does respond (the response to
  its own edges is at least 0.02 times the sum of the absolute values of its weights).
* Diagonal edge: zero output on a constant image; the response to its diagonal is at least 3 times
  the response to the other diagonal, and (softened edges) at least 1.2 times the response to a
  horizontal or to a vertical edge; and it responds, as above.
* ``apply_kernel`` agrees with ``F.conv2d`` on random images and kernels of any size that fits.
  Rule: numpy only, no library convolution (``F.conv2d``, ``scipy.signal.correlate2d``, ``unfold``,
  ...): write the sliding window yourself (loops, slicing or ``sliding_window_view`` are all fine).

Graded by hand (if your course asks for it): show your three kernels at work on small example
matrices of your choice (e.g. 6x6 images with a step edge), printed with ``apply_kernel``, and say in
a sentence or two why each kernel behaves as it does.
"""
from __future__ import annotations

import numpy as np


def blur_kernel():
    """A 3x3 blurring kernel.

    Returns:
    - a 3x3 grid of numbers (nested lists, a numpy array or a torch tensor) that keeps a constant
      image unchanged and smooths out noise (see the module docstring for what is graded).
    """
    raise NotImplementedError("blur_kernel: replace this line with your solution (the docstring above says what to return)")


def horizontal_edge_kernel():
    """A 3x3 kernel that detects horizontal edges (intensity changing from top to bottom).

    Returns:
    - a 3x3 grid of numbers; zero on constant images; responds much more strongly to horizontal
      edges than to vertical or diagonal ones (either sign).
    """
    raise NotImplementedError("horizontal_edge_kernel: replace this line with your solution (the docstring above says what to return)")


def diagonal_edge_kernel():
    """A 3x3 kernel that detects diagonal edges of one kind, ``\\`` or ``/`` (your choice).

    Returns:
    - a 3x3 grid of numbers; zero on constant images; responds much more strongly to its own diagonal
      than to the other diagonal, and more strongly than to horizontal or vertical edges (either sign).
    """
    raise NotImplementedError("diagonal_edge_kernel: replace this line with your solution (the docstring above says what to return)")


def apply_kernel(image, kernel):
    """Cross-correlate a 2D image with a 2D kernel, "valid" mode, with numpy only.

    Args:
    - image: array-like of shape (H, W)
    - kernel: array-like of shape (kh, kw), with kh <= H and kw <= W

    Returns:
    - a numpy array of shape (H - kh + 1, W - kw + 1), float64, with
      ``out[i, j] = sum over a, b of kernel[a, b] * image[i + a, j + b]`` (the kernel is not flipped,
      exactly as in ``torch.nn.functional.conv2d``).
    """
    raise NotImplementedError("apply_kernel: replace this line with your solution (the docstring above says what to return)")
