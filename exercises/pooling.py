"""Pooling from scratch, and iterated max pooling compared with iterated Gaussian blur.

Conventions used throughout (they match PyTorch):

* A batch of images is a float tensor of shape ``[N, C, H, W]`` (batch first, then channels).
* ``kernel_size``, ``stride`` and ``padding`` are one int (the same along H and W) or a pair
  ``(along H, along W)``. ``stride=None`` means "the same as kernel_size", as in PyTorch.
* ``padding=p`` adds ``p`` cells at *both* ends of H and of W, and ``p <= kernel_size // 2``.
  Max pooling pads with ``-inf`` (a padded cell never wins); average pooling pads with zeros
  and the zeros *count* in the average, i.e. every window is divided by ``kh * kw``
  (``count_include_pad=True``, PyTorch's default).
* Windows that would run past the end of the padded input are dropped (floor mode), so the
  output has ``(H + 2p - k) // s + 1`` rows (and the same formula along W).
* The output has the same dtype as the input (float32 or float64).

The rule of Part A: write the pooling yourself. Your file must not use ``F.max_pool2d``,
``F.avg_pool2d``, ``nn.MaxPool2d``, ``nn.AvgPool2d`` (nor their adaptive or ``torch.*``
cousins) or ``unfold`` (``F.unfold``, ``nn.Unfold``, ``Tensor.unfold``) anywhere, not even
in Part C. Tensor slicing, ``torch.maximum``, ``F.pad`` and ``F.conv2d`` are all fine.
The rule is checked both on the text of your file and while your code runs.

Part A  ``max_pool`` and ``avg_pool``: graded against ``F.max_pool2d`` / ``F.avg_pool2d``
        on many random inputs and settings.
Part B  The by-hand questions (``answer_*``): 3x3 pooling with stride 2 of two 5x5 matrices.
        Graded against hashed answer keys. Give exact values: whole numbers, fractions
        (``fractions.Fraction(2, 3)``) or floats (``2 / 3``); a float is accepted when it
        is within 1e-5 of the exact value, so a float32 tensor is fine too.
Part C  Iterated pooling versus blur: ``maxpool_iter``, ``gauss_kernel_2d``,
        ``gaussian_blur_iter``, ``load_image``, ``to_image`` and ``plot_comparison``.
        Graded against torch-built oracles and properties (shape kept, max pooling never
        decreases a pixel as iterations grow, the kernel sums to 1 and is symmetric, an
        image survives the trip image -> tensor -> image).

Graded by hand (not by these tests): run this file (``python pooling.py``), look at
``pooling_comparison.png`` and answer in writing:
  1. What happens to fine details and textures as the number of max-pooling iterations grows?
  2. What kind of filter does iterated stride-1 max pooling act like?
  3. How does it differ from iterated Gaussian blur, at edges and in bright regions?
  4. Is each of the two filters linear?
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ASSETS = Path(__file__).resolve().parent / "assets" / "pooling"
SAMPLE_IMAGE = ASSETS / "sample.png"


def _pair(value, name: str) -> tuple[int, int]:
    """An int or a pair -> (along H, along W)."""
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"{name} needs 2 values, got {len(value)}")
    return value


# ----------------------------------------------------------------------------- Part A
def max_pool(x: torch.Tensor, kernel_size, stride=None, padding=0) -> torch.Tensor:
    """2D max pooling of a batch, written from scratch (same result as ``F.max_pool2d``).

    Args:
    - x: float tensor [N, C, H, W]
    - kernel_size: int or (kh, kw), the window size
    - stride: int, (sh, sw) or None (None means stride = kernel_size)
    - padding: int or (ph, pw); padded cells hold -inf

    Returns:
    - tensor [N, C, H_out, W_out] of x's dtype, where H_out = (H + 2*ph - kh) // sh + 1 and
      likewise for W_out; each value is the largest entry of its window.
    """
    raise NotImplementedError("max_pool: replace this line with your solution (the docstring above says what to return)")


def avg_pool(x: torch.Tensor, kernel_size, stride=None, padding=0) -> torch.Tensor:
    """2D average pooling of a batch, written from scratch (same result as ``F.avg_pool2d``).

    Args:
    - x: float tensor [N, C, H, W]
    - kernel_size: int or (kh, kw), the window size
    - stride: int, (sh, sw) or None (None means stride = kernel_size)
    - padding: int or (ph, pw); padded cells hold 0 and count in the average

    Returns:
    - tensor [N, C, H_out, W_out] of x's dtype (sizes as in ``max_pool``); each value is the
      sum of its window divided by kh * kw.
    """
    raise NotImplementedError("avg_pool: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part B
# Two 5x5 matrices from the problem set. Apply 3x3 pooling with stride 2 and no padding to
# each of them, once as max pooling and once as average pooling. Each answer is the pooled
# matrix as a list of rows, e.g. [[a, b], [c, d]] (a tensor or numpy array is fine too).
MATRIX_A = [
    [1, 1, 1, 0, 1],
    [1, 0, 1, 0, 1],
    [1, 1, 1, 0, 1],
    [0, 0, 0, 0, 1],
    [1, 1, 1, 1, 1],
]
MATRIX_B = [
    [0, 0, 0, 0, 0],
    [0, 1, 1, 1, 0],
    [0, 1, 0, 1, 0],
    [0, 1, 1, 1, 0],
    [0, 0, 0, 0, 0],
]


def answer_max_pool_a() -> list:
    """3x3 max pooling with stride 2 of MATRIX_A, as a list of rows."""
    raise NotImplementedError("answer_max_pool_a: replace this line with your solution (the docstring above says what to return)")


def answer_max_pool_b() -> list:
    """3x3 max pooling with stride 2 of MATRIX_B, as a list of rows."""
    raise NotImplementedError("answer_max_pool_b: replace this line with your solution (the docstring above says what to return)")


def answer_avg_pool_a() -> list:
    """3x3 average pooling with stride 2 of MATRIX_A, as a list of rows (exact values)."""
    raise NotImplementedError("answer_avg_pool_a: replace this line with your solution (the docstring above says what to return)")


def answer_avg_pool_b() -> list:
    """3x3 average pooling with stride 2 of MATRIX_B, as a list of rows (exact values)."""
    raise NotImplementedError("answer_avg_pool_b: replace this line with your solution (the docstring above says what to return)")


def pool_by_hand(matrix: list, kernel_size: int, stride: int, mode: str) -> list:
    """Pooling of one matrix (a list of rows of ints), no padding, in exact arithmetic.

    Not graded on its own; the ``answer_*`` functions may use it (or your Part A functions).

    Returns:
    - the pooled matrix as a list of rows; with mode "max" the window maxima, with mode "avg"
      the window means as ``Fraction``s.
    """
    raise NotImplementedError("pool_by_hand: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part C
def maxpool_iter(img: torch.Tensor, n: int) -> torch.Tensor:
    """3x3 max pooling with stride 1, applied ``n`` times, keeping the image size.

    Each step uses padding 1 filled with -inf (as ``max_pool`` does), so every pixel becomes
    the largest value in its 3x3 neighbourhood inside the image, and H and W stay the same.

    Args:
    - img: float tensor [N, C, H, W] (any values, negative ones included)
    - n: number of steps, n >= 0 (n = 0 returns the input's values unchanged)

    Returns:
    - tensor [N, C, H, W]
    """
    raise NotImplementedError("maxpool_iter: replace this line with your solution (the docstring above says what to return)")


def gauss_kernel_2d(size: int, sigma: float) -> torch.Tensor:
    """A ``size x size`` Gaussian kernel with standard deviation ``sigma``, normalised to sum 1.

    Entry (i, j) is proportional to exp(-((i - c)**2 + (j - c)**2) / (2 * sigma**2)) with the
    centre c = (size - 1) / 2 (so even sizes are centred between two cells and the kernel is
    symmetric for every size).

    Returns:
    - float tensor [size, size] whose entries sum to 1 (float32, as the reference returns; float64
      is accepted too)
    """
    raise NotImplementedError("gauss_kernel_2d: replace this line with your solution (the docstring above says what to return)")


def gaussian_blur_iter(img: torch.Tensor, kernel: torch.Tensor, n: int) -> torch.Tensor:
    """Blur every channel of every image with ``kernel``, ``n`` times, keeping the image size.

    Each step is a cross-correlation (``F.conv2d`` is allowed) of each channel on its own with
    the [k, k] kernel (k odd), with zero padding k // 2 on every side.

    Args:
    - img: float tensor [N, C, H, W]
    - kernel: tensor [k, k], k odd (e.g. from ``gauss_kernel_2d``)
    - n: number of steps, n >= 0 (n = 0 returns the input's values unchanged)

    Returns:
    - tensor [N, C, H, W] of img's dtype
    """
    raise NotImplementedError("gaussian_blur_iter: replace this line with your solution (the docstring above says what to return)")


def load_image(path) -> torch.Tensor:
    """Read an image file with PIL as grayscale and scale it to [0, 1].

    Convert to PIL's grayscale mode "L" first (colour images too), then divide by 255.

    Returns:
    - float32 tensor [1, 1, H, W] with values in [0, 1]
    """
    raise NotImplementedError("load_image: replace this line with your solution (the docstring above says what to return)")


def to_image(tensor: torch.Tensor):
    """Turn a [1, 1, H, W] (or [H, W]) tensor with values in [0, 1] back into an 8-bit picture.

    Clip the values to [0, 1], multiply by 255 and round to the nearest integer.

    Returns:
    - a PIL image of mode "L" and size W x H (a 2-D uint8 numpy array [H, W] is accepted too)
    """
    raise NotImplementedError("to_image: replace this line with your solution (the docstring above says what to return)")


def plot_comparison(img: torch.Tensor, path, iterations=(0, 1, 2, 3, 4), kernel=None):
    """Draw the 2 x 5 comparison grid and save it as a PNG file at ``path``.

    Use matplotlib without a display: ``matplotlib.figure.Figure`` (or pyplot after
    ``matplotlib.use("Agg")``). Make one figure with a 2 x 5 grid of axes (``subplots(2, 5)``):
    column c of row 0 shows ``maxpool_iter(img, iterations[c])``, column c of row 1 shows
    ``gaussian_blur_iter(img, kernel, iterations[c])``. Each panel shows the [H, W] image of
    the first batch item and channel with one ``imshow`` (cmap "gray", vmin 0, vmax 1);
    titles are up to you. Add no other axes (no colorbars).

    Args:
    - img: float tensor [1, 1, H, W] with values in [0, 1]
    - path: where to write the PNG
    - iterations: five iteration counts, one per column
    - kernel: the blur kernel; None means ``gauss_kernel_2d(5, 1.0)``

    Returns:
    - the matplotlib Figure that was saved
    """
    raise NotImplementedError("plot_comparison: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- provided
def make_sample_image(path=SAMPLE_IMAGE, size: int = 64) -> Path:
    """Write the exercise's sample picture (grayscale PNG, ``size x size``) and return its path.

    Provided, not graded: the picture is drawn procedurally so that anyone can rebuild it:
    a soft diagonal gradient, a bright disc, a dark square, a ring, a striped patch and a few
    isolated bright dots (watch them grow under max pooling and fade under blur).
    """
    from PIL import Image

    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    img = 0.15 + 0.25 * (xx + yy) / 2                                  # background gradient
    img = np.where((xx - 0.3) ** 2 + (yy - 0.3) ** 2 < 0.12 ** 2, 0.9, img)   # bright disc
    img = np.where((abs(xx - 0.72) < 0.12) & (abs(yy - 0.28) < 0.12), 0.05, img)  # dark square
    r = np.hypot(xx - 0.7, yy - 0.72)
    img = np.where(abs(r - 0.16) < 0.025, 1.0, img)                    # thin bright ring
    stripes = (np.floor(xx * size / 2) % 2 == 0) & (xx < 0.45) & (yy > 0.6) & (yy < 0.9)
    img = np.where(stripes, 0.75, img)                                 # fine texture
    for fy, fx in ((0.1, 0.55), (0.5, 0.5), (0.92, 0.1), (0.55, 0.93)):  # single bright pixels
        img[int(fy * (size - 1)), int(fx * (size - 1))] = 1.0
    pixels = np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, format="PNG", optimize=False)
    return path


def run_experiment(image_path=SAMPLE_IMAGE, out_path="pooling_comparison.png"):
    """Load the sample picture, draw the comparison grid and save it (what ``python pooling.py`` does)."""
    if not Path(image_path).is_file():
        make_sample_image(image_path)
    plot_comparison(load_image(image_path), out_path)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    run_experiment()
