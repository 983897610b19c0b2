"""Shared by the public and hidden kernels tests (and selftests/test_kernels_fairness.py):
hints, test images, strategies, and the property checks that grade a hand-made kernel.

Every kernel property is a plain function ``check_*(kernel, ...)`` that raises a
:class:`~autograder.checks.Mismatch` (student feedback, with a hint when a known misconception
explains the failure) or returns None. They take the kernel as plain data, so the fairness
self-test runs them in-process over many reasonable and many wrong kernels.

Image coordinates: row i counts from the top, column j from the left. Edge directions:

* ``horizontal``: the boundary runs left to right; intensity changes from top to bottom.
* ``vertical``: the boundary runs top to bottom; intensity changes from left to right.
* ``diagonal \\``: the boundary runs from top-left to bottom-right (the bright side is lower-left).
* ``diagonal /``: the boundary runs from bottom-left to top-right (the bright side is lower-right).

The response of a kernel to an edge image is max |valid cross-correlation| / |contrast|.
"""
from __future__ import annotations

import functools
import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from autograder.checks import Mismatch, TOLERANCES, assert_close, exceeds

EXERCISE = "kernels"

HINTS = {
    "kernel_shape": "each kernel is a 3x3 grid of real numbers: a nested list, a numpy array or a torch tensor "
                    "of shape (3, 3) exactly (not (1, 1, 3, 3), not a flat list of 9).",
    "blur_sum": "a blur kernel whose weights do not add up to 1 changes the brightness: a constant image comes "
                "out brighter or darker (and noise is scaled up with it). Divide the weights by their sum.",
    "blur_not_smoothing": "on independent noise, a kernel whose weights add up to 1 multiplies the variance by "
                          "about the sum of its squared weights (shown above): that sum is small only when the "
                          "weight is spread over several pixels. The identity kernel [[0,0,0],[0,1,0],[0,0,0]] "
                          "keeps all the noise and a sharpening kernel adds some: spread the weight over the 3x3 "
                          "neighbourhood.",
    "edge_sum": "an edge kernel must give 0 on a flat (constant) region, so its weights must add up to 0; "
                "otherwise it responds to brightness itself, not to changes of brightness.",
    "horizontal_vertical_mixed": "horizontal and vertical are mixed up: a horizontal edge runs left to right, so "
                                 "the intensity changes from TOP to BOTTOM and the kernel should compare the row "
                                 "above with the row below (your kernel compares left with right).",
    "edge_no_response": "the kernel barely responds to any edge. An edge kernel needs weights of opposite signs "
                        "on the two sides of the edge it detects.",
    "edge_not_directional": "the kernel responds to the perpendicular direction within a factor of 3 of its own "
                            "(the two responses above): make the weights change across its edge direction and stay "
                            "the same along it.",
    "edge_tilted": "the kernel is not symmetric between left and right (its left column is not the mirror of its "
                   "right column), and its symmetric part, (k + k[:, ::-1]) / 2, passes this check: the lopsided "
                   "part tilts it towards a diagonal. Make it left-right symmetric, so that it measures only the "
                   "change from top to bottom.",
    "diagonal_symmetric": "the diagonal kernel does not tell the two diagonals (\\ and /) apart: it responds to "
                          "both within a factor of 1.5 (the responses above). Pick one: its "
                          "weights should change sign across that diagonal (positive on one side, negative on the "
                          "other) and be mirror-opposite (w and -w) across the other diagonal.",
    "diagonal_weak": "the diagonal kernel responds more (or about as much) to a horizontal or a vertical edge as "
                     "to its own diagonal: its change of sign lies closer to an axis than to "
                     "a diagonal. Put the change of sign along one diagonal line of the 3x3 grid.",
    "kernel_flipped": "your output is the TRUE convolution (kernel flipped by 180 degrees), on this input and on "
                      "two more the grader tried. In deep learning, 'convolution' means cross-correlation: "
                      "out[i, j] = sum of kernel[a, b] * image[i + a, j + b], with no flipping, as F.conv2d does.",
    "kernel_transposed": "your output is what the TRANSPOSED kernel (kernel.T) gives, on this input and on two more "
                         "the grader tried: kernel[a, b] must meet image[i + a, j + b], a counting rows and b "
                         "columns (a kernel of shape (kh, kw) spans kh rows and kw columns).",
    "valid_mode": "your output is what a zero-padded image gives (the grader reproduced it, with the padding "
                  "that keeps the size or that gives the 'full' output). 'valid' mode means no padding: only "
                  "windows that fit entirely inside the image are used, so the output has shape "
                  "(H - kh + 1, W - kw + 1).",
    "axes_swapped": "your output is the right output transposed (on this input and on two more the grader tried): "
                    "out[i, j] slides the window i rows down and j columns right.",
    "output_dtype": "the output has the image's integer dtype, so every sum was cut back to an integer (and "
                    "negative sums of a uint8 image wrap around): build the output as float64, e.g. with "
                    "np.asarray(image, dtype=np.float64) before the loops.",
    "array_like": "apply_kernel must accept any array-like, nested lists included (the same call with numpy arrays "
                  "worked): convert both arguments with np.asarray(..., dtype=np.float64) first.",
    "library_conv": "apply_kernel must slide the window itself with numpy (loops, slicing, or "
                    "np.lib.stride_tricks.sliding_window_view); a library convolution (F.conv2d, unfold, "
                    "scipy.signal) is what your result is compared with, not a way to compute it.",
    "not_numpy": "apply_kernel returns a numpy array (np.ndarray); build it with numpy, not with torch.",
}

# ---------------------------------------------------------------- thresholds (see the exercise docstring)
NOISE_RATIO = 0.75      # blur: var(output) <= NOISE_RATIO * var(input pixels under the output)
PERPENDICULAR = 3.0     # own direction >= 3x the perpendicular one (sharp or softened edges)
OBLIQUE = 1.2           # own direction >= 1.2x the directions 45 degrees away (softened edges); the best
#                         any gradient-like kernel can do is 1/cos(45 deg) = 1.414
MIN_RESPONSE = 0.02     # own response >= MIN_RESPONSE * sum|weights| (the zero kernel does not detect edges)
SOFT_WIDTHS = (4.0, 8.0)  # softened edges ramp over this many pixels: a 3x3 window then fits inside the ramp
DIRECTIONS = ("horizontal", "vertical", "diagonal \\", "diagonal /")
_NORMALS = {"horizontal": (1.0, 0.0), "vertical": (0.0, 1.0), "diagonal \\": (1.0, -1.0), "diagonal /": (1.0, 1.0)}


# ---------------------------------------------------------------- kernels as plain numpy
def as_kernel(value, what: str) -> tuple[np.ndarray, str]:
    """``value`` as a float64 (3, 3) array and its dtype name; a Mismatch naming the problem otherwise."""
    def bad(problem: str):
        shown = value if not isinstance(value, np.ndarray) else value.tolist()
        raise Mismatch(f"{what}\n  got: {shown!r}\n  {problem}\nHint: {HINTS['kernel_shape']}")

    dtype = "float"
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        dtype = value.dtype.name
    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).removeprefix("torch.")
        if value.is_complex() or value.dtype == torch.bool:
            bad(f"a kernel holds real numbers, not {dtype}")
        value = value.detach().cpu().to(torch.float64).numpy()
    if isinstance(value, (str, bytes)) or value is None:
        bad("not a 3x3 grid of numbers")
    if isinstance(value, (list, tuple)):
        for row in value:
            if isinstance(row, (list, tuple, np.ndarray)):
                for v in row:
                    if isinstance(v, bool) or not isinstance(v, (numbers.Real, np.ndarray, torch.Tensor)):
                        bad(f"a kernel holds real numbers, found {v!r}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        bad("not a 3x3 grid of numbers (rows of different lengths?)")
    if arr.dtype.kind not in "iufO":
        bad(f"a kernel holds real numbers, not {arr.dtype}")
    if arr.shape != (3, 3):
        bad(f"expected shape (3, 3), got shape {arr.shape}")
    try:
        arr = arr.astype(np.float64)
    except (ValueError, TypeError):
        bad("a kernel holds real numbers")
    if not np.isfinite(arr).all():
        bad("the kernel has an inf or nan")
    return arr, dtype


def kernel_repr(k: np.ndarray) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:.6g}" for v in row) + "]" for row in k) + "]"


def tolerance(dtype: str) -> tuple[float, float]:
    """(rtol, atol) for sums of a kernel's weights: the float32 row unless the kernel is coarser."""
    return TOLERANCES[dtype] if dtype in ("float16", "bfloat16") else TOLERANCES["float32"]


# ---------------------------------------------------------------- images
def correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid cross-correlation in float64 (the oracle for every property; F.conv2d semantics)."""
    image = np.asarray(image, np.float64)
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.zeros((rows, cols))
    for a in range(kh):
        for b in range(kw):
            out += kernel[a, b] * image[a:a + rows, b:b + cols]
    return out


def torch_correlate(image: np.ndarray, kernel: np.ndarray) -> torch.Tensor:
    """``F.conv2d`` on one float64 image and kernel: the oracle for apply_kernel."""
    x = torch.as_tensor(np.asarray(image, np.float64))[None, None]
    w = torch.as_tensor(np.asarray(kernel, np.float64))[None, None]
    return F.conv2d(x, w)[0, 0]


def constant_image(rows: int, cols: int, value: float) -> np.ndarray:
    return np.full((rows, cols), float(value))


def edge_image(direction: str, rows: int, cols: int, offset: float, low: float, contrast: float,
               width: float) -> np.ndarray:
    """A step edge through (about) the image's centre.

    The signed distance of pixel (i, j) from the edge line is ``n . ((i, j) - centre) - offset``, with ``n``
    the unit normal of ``direction``. Pixels on the positive side get ``low + contrast``, on the other side
    ``low``. ``width == 0``: a sharp step (``offset`` an integer; pixels on the line count as positive);
    ``width > 0``: the intensity ramps linearly over ``width`` pixels across the line.
    """
    ni, nj = _NORMALS[direction]
    i, j = np.mgrid[0:rows, 0:cols].astype(np.float64)
    if width == 0:
        # Integer arithmetic on the un-normalised normal: no rounding decides which side a pixel is on.
        side = ni * (i - rows // 2) + nj * (j - cols // 2) >= offset
        ramp = side.astype(np.float64)
    else:
        norm = math.hypot(ni, nj)
        d = (ni * (i - (rows - 1) / 2) + nj * (j - (cols - 1) / 2)) / norm - offset
        ramp = np.clip(d / width + 0.5, 0.0, 1.0)
    return low + contrast * ramp


def noise_image(rows: int, cols: int, seed: int, kind: str, scale: float, mean: float) -> np.ndarray:
    """White noise: independent pixels, ``gaussian``, ``uniform`` or ``salt_and_pepper`` (+-scale)."""
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        noise = rng.standard_normal((rows, cols))
    elif kind == "uniform":
        noise = rng.uniform(-1.0, 1.0, (rows, cols))
    else:
        noise = rng.choice([-1.0, 1.0], (rows, cols))
    return mean + scale * noise


def describe_edge(direction: str, s: dict) -> str:
    kind = "sharp" if s["width"] == 0 else f"softened over {s['width']:g} px"
    return (f"edge_image({direction!r}, rows={s['rows']}, cols={s['cols']}, offset={s['offset']:g}, "
            f"low={s['low']:g}, contrast={s['contrast']:g}, width={s['width']:g})  [{kind}]")


@functools.lru_cache(maxsize=4096)
def _cached_edge(direction: str, rows: int, cols: int, offset: float, low: float, contrast: float,
                 width: float) -> np.ndarray:
    image = edge_image(direction, rows, cols, offset, low, contrast, width)
    image.flags.writeable = False
    return image


def response(kernel: np.ndarray, direction: str, s: dict) -> float:
    """max |output| / |contrast| of ``kernel`` on the edge of ``direction`` with settings ``s``."""
    image = _cached_edge(direction, s["rows"], s["cols"], float(s["offset"]), float(s["low"]), float(s["contrast"]),
                         float(s["width"]))
    return float(np.abs(correlate(image, kernel)).max() / abs(s["contrast"]))


# ---------------------------------------------------------------- strategies
def _rounded(lo: float, hi: float, digits: int = 2):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(lambda x: round(x, digits))


@st.composite
def edge_settings(draw, min_size: int = 12, max_size: int = 20, sharp: bool | None = None):
    """Size, position (offset from the centre), levels and softness of a test edge."""
    rows = draw(st.integers(min_size, max_size), label="rows")
    cols = draw(st.integers(min_size, max_size), label="cols")
    is_sharp = draw(st.booleans(), label="sharp") if sharp is None else sharp
    if is_sharp:
        width, offset = 0.0, float(draw(st.integers(-2, 2), label="offset"))
    else:
        width = draw(_rounded(*SOFT_WIDTHS), label="width")
        offset = draw(_rounded(-2.0, 2.0), label="offset")
    low = draw(_rounded(-2.0, 2.0), label="low")
    contrast = draw(_rounded(0.25, 4.0), label="|contrast|") * draw(st.sampled_from([1, -1]), label="sign")
    return dict(rows=rows, cols=cols, offset=offset, low=low, contrast=contrast, width=width)


@st.composite
def constant_settings(draw, min_size: int = 3, max_size: int = 12):
    value = draw(st.one_of(_rounded(0.1, 10.0), _rounded(-10.0, -0.1)), label="value")
    return dict(rows=draw(st.integers(min_size, max_size), label="rows"),
                cols=draw(st.integers(min_size, max_size), label="cols"), value=value)


@st.composite
def noise_settings(draw, min_size: int = 12, max_size: int = 24):
    return dict(rows=draw(st.integers(min_size, max_size), label="rows"),
                cols=draw(st.integers(min_size, max_size), label="cols"),
                seed=draw(st.integers(0, 2**16), label="seed"),
                kind=draw(st.sampled_from(["gaussian", "uniform", "salt_and_pepper"]), label="kind"),
                scale=draw(_rounded(0.1, 3.0), label="scale"), mean=draw(_rounded(-2.0, 2.0), label="mean"))


# ---------------------------------------------------------------- property checks
def _sum_is(k: np.ndarray, dtype: str, target: float) -> bool:
    rtol, atol = tolerance(dtype)
    return abs(k.sum() - target) <= (atol + rtol * abs(target)) * max(1.0, np.abs(k).sum())


def check_blur_constant(value, what: str, rows: int, cols: int, c: float) -> None:
    """A constant image stays the same constant."""
    k, dtype = as_kernel(value, what)
    out = correlate(constant_image(rows, cols, c), k)
    rtol, atol = tolerance(dtype)
    worst = float(np.abs(out - c).max())
    if exceeds(worst, (atol + rtol * abs(c)) * max(1.0, np.abs(k).sum())):
        raise Mismatch(f"{what} = {kernel_repr(k)} applied to a constant {rows}x{cols} image of value {c:g}\n"
                       f"  expected: the same constant, {c:g}, everywhere\n"
                       f"  got:      {float(out.flat[0]):.6g} (the weights add up to {k.sum():.6g})\n"
                       f"Hint: {HINTS['blur_sum']}")


def check_blur_noise(value, what: str, rows: int, cols: int, seed: int, kind: str, scale: float,
                     mean: float) -> None:
    """Blurring white noise lowers its variance clearly."""
    k, dtype = as_kernel(value, what)
    image = noise_image(rows, cols, seed, kind, scale, mean)
    out = correlate(image, k)
    var_in, var_out = float(image[1:-1, 1:-1].var()), float(out.var())
    if not var_out <= NOISE_RATIO * var_in:
        hint = "blur_sum" if not _sum_is(k, dtype, 1.0) else "blur_not_smoothing"
        raise Mismatch(f"{what} = {kernel_repr(k)} applied to white noise "
                       f"noise_image(rows={rows}, cols={cols}, seed={seed}, kind={kind!r}, scale={scale:g}, "
                       f"mean={mean:g})\n"
                       f"  expected: variance of the output <= {NOISE_RATIO} x variance of the input pixels "
                       f"under it ({var_in:.4g}), i.e. <= {NOISE_RATIO * var_in:.4g}\n"
                       f"  got:      variance {var_out:.4g} (ratio {var_out / var_in:.3f}; the weights add up to "
                       f"{k.sum():.6g}, their squares to {float((k * k).sum()):.6g})\n"
                       f"Hint: {HINTS[hint]}")


def check_edge_flat(value, what: str, rows: int, cols: int, c: float) -> None:
    """Zero output on a constant image."""
    k, dtype = as_kernel(value, what)
    out = correlate(constant_image(rows, cols, c), k)
    rtol, atol = tolerance(dtype)
    worst = float(np.abs(out).max())
    if exceeds(worst, (atol + rtol * abs(c)) * max(1.0, np.abs(k).sum())):
        raise Mismatch(f"{what} = {kernel_repr(k)} applied to a constant {rows}x{cols} image of value {c:g}\n"
                       f"  expected: 0 everywhere (a flat region has no edge)\n"
                       f"  got:      {float(out.flat[0]):.6g} (the weights add up to {k.sum():.6g})\n"
                       f"Hint: {HINTS['edge_sum']}")


def _compare(k: np.ndarray, what: str, own: str, other: str, s: dict, ratio: float, own_r: float, other_r: float,
             hint: str) -> None:
    raise Mismatch(
        f"{what} = {kernel_repr(k)}: response = max |output| / |contrast| on two edges with the same settings\n"
        f"  {own:12s} edge: {own_r:.4g}   {describe_edge(own, s)}\n"
        f"  {other:12s} edge: {other_r:.4g}   {describe_edge(other, s)}\n"
        f"  expected: the {own} response >= {ratio:g} x the {other} response (and >= {MIN_RESPONSE} x "
        f"sum|weights| = {MIN_RESPONSE * np.abs(k).sum():.4g})\n"
        f"  got:      ratio {own_r / other_r if other_r else math.inf:.3g}\n"
        f"(edge_image is in tests/public/kernels_support.py: rebuild the images and look at your output.)"
        + (f"\nHint: {HINTS[hint]}" if hint else ""))


def _edge_hint(k: np.ndarray, dtype: str, own_r: float, other_r: float, fallback: str | None) -> str | None:
    if not _sum_is(k, dtype, 0.0):
        return "edge_sum"
    if own_r <= MIN_RESPONSE * np.abs(k).sum() and other_r <= MIN_RESPONSE * np.abs(k).sum():  # nan-safe: picks a hint
        return "edge_no_response"
    return fallback


def _passes(k: np.ndarray, own_r: float, other_r: float, ratio: float) -> bool:
    return own_r > MIN_RESPONSE * np.abs(k).sum() and own_r >= ratio * other_r


def _direction_hint(own_r: float, vertical_r: float, fallback: str | None) -> str | None:
    """horizontal_vertical_mixed only when the kernel is verifiably a vertical-edge detector (it answers
    vertical edges at least PERPENDICULAR times more than horizontal ones); else ``fallback``."""
    return "horizontal_vertical_mixed" if vertical_r >= PERPENDICULAR * own_r and vertical_r > 0 else fallback


NEARLY_EQUAL = 1.5   # "responds about equally": the two responses within this factor of each other


def _mirror_symmetric(k: np.ndarray) -> bool:
    """Left column the mirror of the right one (up to float rounding)."""
    return bool(np.allclose(k, k[:, ::-1], rtol=1e-6, atol=1e-9 * max(1.0, float(np.abs(k).max()))))


def _symmetric_part_passes(k: np.ndarray, check, s: dict) -> bool:
    """The verified cause of edge_tilted: ``k`` is lopsided and its left-right symmetric part passes ``check``."""
    if _mirror_symmetric(k):
        return False
    try:
        check((k + k[:, ::-1]) / 2, "", s)
    except Mismatch:
        return False
    return True


def check_horizontal_perpendicular(value, what: str, s: dict) -> None:
    """Horizontal edges answer at least PERPENDICULAR times more strongly than vertical ones."""
    k, dtype = as_kernel(value, what)
    own_r, other_r = response(k, "horizontal", s), response(k, "vertical", s)
    if not _passes(k, own_r, other_r, PERPENDICULAR):
        if other_r >= own_r / NEARLY_EQUAL:
            fallback = _direction_hint(own_r, other_r, "edge_not_directional")
        elif _symmetric_part_passes(k, check_horizontal_perpendicular, s):
            fallback = "edge_tilted"
        else:
            fallback = _direction_hint(own_r, other_r, "edge_not_directional")
        _compare(k, what, "horizontal", "vertical", s, PERPENDICULAR, own_r, other_r,
                 _edge_hint(k, dtype, own_r, other_r, fallback))


def check_horizontal_oblique(value, what: str, s: dict) -> None:
    """Horizontal edges answer at least OBLIQUE times more strongly than either diagonal (softened edges)."""
    k, dtype = as_kernel(value, what)
    own_r = response(k, "horizontal", s)
    for other in ("diagonal \\", "diagonal /"):
        other_r = response(k, other, s)
        if not _passes(k, own_r, other_r, OBLIQUE):
            fallback = _direction_hint(own_r, response(k, "vertical", s),
                                       "edge_tilted" if _symmetric_part_passes(k, check_horizontal_oblique, s) else None)
            _compare(k, what, "horizontal", other, s, OBLIQUE, own_r, other_r,
                     _edge_hint(k, dtype, own_r, other_r, fallback))


def _own_diagonal(k: np.ndarray, s: dict) -> tuple[tuple[str, float], tuple[str, float]]:
    """(own, other) diagonal with their responses: the kernel's diagonal is the one it answers more."""
    a, b = response(k, "diagonal \\", s), response(k, "diagonal /", s)
    return (("diagonal \\", a), ("diagonal /", b)) if a >= b else (("diagonal /", b), ("diagonal \\", a))


def check_diagonal_perpendicular(value, what: str, s: dict) -> None:
    """One diagonal answers at least PERPENDICULAR times more strongly than the other."""
    k, dtype = as_kernel(value, what)
    (own, own_r), (other, other_r) = _own_diagonal(k, s)
    if not _passes(k, own_r, other_r, PERPENDICULAR):
        if other_r >= own_r / NEARLY_EQUAL:
            fallback = "diagonal_symmetric"      # observed: both diagonals within a factor of 1.5
        elif max(response(k, "horizontal", s), response(k, "vertical", s)) * OBLIQUE >= own_r:
            fallback = "diagonal_weak"           # observed: an axis answers about as much as its diagonal
        else:
            fallback = None
        _compare(k, what, own, other, s, PERPENDICULAR, own_r, other_r, _edge_hint(k, dtype, own_r, other_r, fallback))


def check_diagonal_oblique(value, what: str, s: dict) -> None:
    """The kernel's diagonal answers at least OBLIQUE times more strongly than horizontal and vertical edges."""
    k, dtype = as_kernel(value, what)
    (own, own_r), _ = _own_diagonal(k, s)
    for other in ("horizontal", "vertical"):
        other_r = response(k, other, s)
        if not _passes(k, own_r, other_r, OBLIQUE):
            _compare(k, what, own, other, s, OBLIQUE, own_r, other_r,
                     _edge_hint(k, dtype, own_r, other_r, "diagonal_weak"))


# ---------------------------------------------------------------- apply_kernel
def _padded(image: np.ndarray, kernel: np.ndarray, before: tuple[int, int], after: tuple[int, int]) -> np.ndarray:
    """``image`` zero-padded by ``before`` rows/columns at the top/left and ``after`` at the bottom/right."""
    widths = ((before[0], after[0]), (before[1], after[1]))
    return correlate(np.pad(np.asarray(image, np.float64), widths), kernel)


def _same(image, kernel, centre_low: bool) -> np.ndarray:
    kh, kw = np.shape(kernel)
    top, left = ((kh - 1) // 2, (kw - 1) // 2) if centre_low else (kh // 2, kw // 2)
    return _padded(image, kernel, (top, left), (kh - 1 - top, kw - 1 - left))


# Each known mistake as the reference with one change, a function of (image, kernel); None: a mistake
# with no hint of its own, listed so that a look-alike is not claimed in its place.
APPLY_VARIANTS: dict[str, tuple[str | None, object]] = {
    "flipped 180": ("kernel_flipped", lambda image, kernel: correlate(image, kernel[::-1, ::-1])),
    "transposed kernel": ("kernel_transposed", lambda image, kernel: correlate(image, kernel.T)),
    "rows flipped": (None, lambda image, kernel: correlate(image, kernel[::-1, :])),
    "columns flipped": (None, lambda image, kernel: correlate(image, kernel[:, ::-1])),
    "same padding": ("valid_mode", lambda image, kernel: _same(image, kernel, True)),
    "same padding, other centre": ("valid_mode", lambda image, kernel: _same(image, kernel, False)),
    "full padding": ("valid_mode", lambda image, kernel: _padded(image, kernel, tuple(np.subtract(kernel.shape, 1)),
                                                                 tuple(np.subtract(kernel.shape, 1)))),
    "output transposed": ("axes_swapped", lambda image, kernel: correlate(image, kernel).T),
}
_PROBE_RNG = np.random.default_rng(20240611)
# Non-square images and kernels with distinct entries: every variant above differs from the others here.
APPLY_PROBES = [(np.round(_PROBE_RNG.uniform(-10, 10, (6, 7)), 3), np.round(_PROBE_RNG.uniform(-10, 10, (2, 3)), 3)),
                (np.round(_PROBE_RNG.uniform(-10, 10, (7, 5)), 3), np.round(_PROBE_RNG.uniform(-10, 10, (3, 2)), 3))]


def _as_float_array(value) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def diagnose_apply(got, image: np.ndarray, kernel: np.ndarray, student=None) -> str | None:
    """Hint id for a wrong apply_kernel output, claimed only when verified.

    ``got`` must equal one known mistake applied to this input (and no other mistake); when ``student``
    (a function of (image, kernel)) is given, the mistake must also reproduce the student's output on the
    two probe inputs, which tell every variant apart.
    """
    from autograder.diagnose import confirmed

    if not isinstance(got, np.ndarray) and isinstance(got, torch.Tensor):
        return "not_numpy"   # observed: the type of the value returned
    g = _as_float_array(got)
    if g is None:
        return None
    image, kernel = np.asarray(image, np.float64), np.asarray(kernel, np.float64)
    variants = {name: (lambda case, f=f: f(*case)) for name, (_, f) in APPLY_VARIANTS.items()}

    def same(a, b) -> bool:
        a, b = _as_float_array(a), _as_float_array(b)
        return (a is not None and b is not None and a.shape == b.shape
                and bool(np.allclose(a, b, rtol=1e-7, atol=1e-7)))

    if student is None:
        alive = [name for name, f in variants.items()
                 if same(g, f((image, kernel))) and not same(f((image, kernel)), correlate(image, kernel))]
    else:
        alive = confirmed(lambda case: student(*case), lambda case: correlate(*case), variants, (image, kernel),
                          APPLY_PROBES, same=same)
    hints = {APPLY_VARIANTS[name][0] for name in alive}
    return hints.pop() if len(hints) == 1 else None


def _show(a: np.ndarray) -> str:
    text = np.array2string(a, threshold=64, precision=4, separator=", ", max_line_width=10_000)
    return " ".join(text.split())


def expect_apply(got, image, kernel, expected, reveal: bool = True, student=None) -> None:
    """``student``: the student's apply_kernel (a function of (image, kernel)), run again on probe inputs
    to confirm a diagnosis before a hint names it."""
    what = (f"apply_kernel(image, kernel) with image of shape {image.shape}, kernel of shape {kernel.shape}\n"
            f"  image  = {_show(image)}\n  kernel = {_show(kernel)}")
    if not isinstance(got, np.ndarray):
        hint = diagnose_apply(got, image, kernel)
        raise Mismatch(f"{what}\n  expected: a numpy array\n  got:      {type(got).__name__}"
                       + (f"\nHint: {HINTS[hint]}" if hint else ""))
    try:
        assert_close(got, expected, what, reveal=reveal)
    except Mismatch as exc:
        hint = diagnose_apply(got, image, kernel, student)
        raise Mismatch(str(exc) + float32_note(got, expected) + (f"\nHint: {HINTS[hint]}" if hint else "")) from None


def float32_note(got, expected) -> str:
    """An observation (not a cause): the values agree with the float64 ones only to float32 precision."""
    g, e = _as_float_array(got), _as_float_array(expected.numpy() if isinstance(expected, torch.Tensor) else expected)
    if g is None or e is None or g.shape != e.shape or not np.isfinite(g).all():
        return ""
    rtol, atol = TOLERANCES["float32"]
    scale = max(1.0, float(np.abs(e).max()))
    if np.allclose(g, e, rtol=rtol * 10, atol=atol * scale):
        return ("\n  note: your values agree with the expected ones only to about 6 significant digits, the "
                "precision of float32: compute in float64")
    return ""


@st.composite
def image_and_kernel(draw, max_side: int = 10, max_kernel: int = 4):
    """A float64 image (H, W) and a kernel (kh, kw) that fits in it, entries in [-10, 10]."""
    h = draw(st.integers(1, max_side), label="H")
    w = draw(st.integers(1, max_side), label="W")
    kh = draw(st.integers(1, min(h, max_kernel)), label="kh")
    kw = draw(st.integers(1, min(w, max_kernel)), label="kw")
    seed = draw(st.integers(0, 2**16), label="seed")
    rng = np.random.default_rng(seed)
    image = np.round(rng.uniform(-10, 10, (h, w)), 3)
    kernel = np.round(rng.uniform(-10, 10, (kh, kw)), 3)
    return image, kernel


__all__ = ["Mismatch"]
