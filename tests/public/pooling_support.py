"""Shared by the public and hidden pooling tests: hints, strategies, torch oracles, probes."""
from __future__ import annotations

import io
import math
import numbers
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from autograder import uploads
from autograder.checks import TOLERANCES, Mismatch, assert_close, digest, fail, hint_text

EXERCISE = "pooling"

HINTS = {
    "default_stride": "when stride is None the window jumps by the kernel size (stride = kernel_size), "
                      "as in PyTorch; it does not slide one cell at a time.",
    "max_pad_zero": "max pooling pads with -inf, not with 0: a padded cell must never be a window's maximum "
                    "(think of an input whose values are all negative).",
    "count_exclude_pad": "in this exercise the padded zeros count in the average (count_include_pad=True): "
                         "divide every window's sum by kh * kw, at the border too.",
    "window_off_by_one": "each window covers kernel_size cells along each axis: with stride s, window i spans "
                         "rows i*s, ..., i*s + k - 1, which is the slice [i*s : i*s + k] (a Python slice "
                         "leaves out its end).",
    "output_size": "your output has the windows that rounding up (a last window hanging over the end) or a "
                   "range that stops one window early gives (the grader reproduced it). The number of windows "
                   "along an axis is (H + 2p - k) // s + 1: count the first window, and drop a window that would "
                   "hang over the end.",
    "integer_division": "an average is a fraction: floor division `//` throws the remainder away. Divide the "
                        "window's sum by its number of cells with `/` (or use fractions.Fraction).",
    "max_avg_swapped": "max and average pooling are swapped: max pooling keeps the largest entry of each "
                       "window, average pooling its mean.",
    "window_stride_off": "this pooling uses a 3x3 window that moves 2 cells at a time, so a 5x5 matrix gives a "
                         "2x2 result: the windows start at rows 0 and 2 and at columns 0 and 2.",
    "iter_shape": "your output is what 3x3 stride-1 max pooling WITHOUT padding gives (it shrinks H and W by 2 "
                  "per step); each step must keep H and W: pad by 1 on every side (with -inf) first.",
    "iter_zero_pad": "the padding in maxpool_iter must never win the max: pad with -inf (as max_pool does); "
                     "zero padding changes the border pixels wherever the values are negative.",
    "iter_count": "apply the pooling exactly n times (n = 0 gives back the input unchanged).",
    "kernel_sum": "normalise the kernel: divide it by the sum of its entries, so that they sum to 1.",
    "kernel_centre": "the kernel's centre is c = (size - 1) / 2, which falls between two cells for an even "
                     "size; with c = size // 2 an even-sized kernel is lopsided, not symmetric.",
    "kernel_two_sigma": "the exponent of the Gaussian is -(distance**2) / (2 * sigma**2); check the factor 2 "
                        "and that sigma is squared.",
    "blur_padding": "your output is what the blur WITHOUT padding gives (each step shrinks H and W by k - 1): "
                    "zero-pad by k // 2 on every side so that each blur step keeps H and W.",
    "blur_flipped": "your output is the TRUE convolution (the kernel flipped by 180 degrees, as scipy's convolve "
                    "does), on a kernel that is not symmetric: each step is a cross-correlation, as F.conv2d computes "
                    "it (no flipping).",
    "blur_channels": "blur every channel on its own (groups = C in F.conv2d), without mixing channels.",
    "blur_count": "apply the blur exactly n times (n = 0 gives back the input unchanged).",
    "image_scale": "divide the 8-bit pixel values (0..255) by 255, so that the tensor's values lie in [0, 1].",
    "image_shape": "the values are right but the shape is not: return a [1, 1, H, W] tensor (add the batch and "
                   "channel axes, e.g. x[None, None]).",
    "image_dtype": "the values are right but the tensor is float64: dividing a uint8 numpy array by 255 gives "
                   "float64; return float32 (e.g. np.asarray(..., dtype=np.float32) / 255).",
    "image_gray": "convert to grayscale with PIL (image.convert(\"L\")), which weights red, green and blue "
                  "unequally, rather than averaging the colour channels yourself.",
    "round_not_truncate": "round to the nearest integer after multiplying by 255: converting a float to uint8 "
                          "cuts the fraction off (0.999 * 255 = 254.7 becomes 254, not 255).",
    "no_clip": "clip the values to [0, 1] before scaling: a value outside wraps around in uint8 "
               "(-0.1 * 255 does not become 0).",
    "plot_display": "show each panel with imshow(..., cmap=\"gray\", vmin=0, vmax=1): without vmin and vmax, "
                    "matplotlib stretches each panel's own range to black..white, so panels cannot be compared.",
    "plot_grid": "make one figure with a 2 x 5 grid of axes (subplots(2, 5)) and one imshow per axes: "
                 "max pooling in row 0, blur in row 1, one column per iteration count.",
}

RULE = ("write the pooling yourself: no F.max_pool2d, F.avg_pool2d, nn.MaxPool2d, nn.AvgPool2d "
        "(or their adaptive/torch.* variants) and no unfold in pooling.py")
FORBIDDEN_NAMES = ["max_pool2d", "avg_pool2d", "MaxPool2d", "AvgPool2d", "max_pool2d_with_indices",
                   "adaptive_max_pool2d", "adaptive_avg_pool2d", "AdaptiveMaxPool2d", "AdaptiveAvgPool2d",
                   "fractional_max_pool2d", "FractionalMaxPool2d", "lp_pool2d", "LPPool2d", "unfold", "Unfold"]
FORBIDDEN_CALLS = ["torch.nn.functional.max_pool2d", "torch.nn.functional.avg_pool2d",
                   "torch.nn.functional.max_pool2d_with_indices", "torch.nn.functional.adaptive_max_pool2d",
                   "torch.nn.functional.adaptive_avg_pool2d", "torch.nn.functional.lp_pool2d",
                   "torch.nn.functional.unfold", "torch.max_pool2d", "torch.Tensor.unfold"]

F32 = TOLERANCES["float32"]


# ---------------------------------------------------------------- inputs
def pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


@st.composite
def pool_cases(draw, max_kernel=4, max_stride=3, max_extra=6, max_batch=2, max_channels=3):
    """A pooling setting PyTorch accepts (padding <= kernel // 2) and the input to pool."""
    square = draw(st.booleans(), label="same setting along H and W")
    kh = draw(st.integers(1, max_kernel), label="kh")
    kw = kh if square else draw(st.integers(1, max_kernel), label="kw")
    stride_kind = draw(st.sampled_from(["none", "int", "pair"]), label="stride given as")
    if stride_kind == "none":
        stride = None
    elif stride_kind == "int" or square:
        stride = draw(st.integers(1, max_stride), label="stride")
    else:
        stride = (draw(st.integers(1, max_stride), label="sh"), draw(st.integers(1, max_stride), label="sw"))
    ph = draw(st.integers(0, kh // 2), label="ph")
    pw = ph if square else draw(st.integers(0, kw // 2), label="pw")
    h = draw(st.integers(max(1, kh - 2 * ph), kh - 2 * ph + max_extra), label="H")
    w = draw(st.integers(max(1, kw - 2 * pw), kw - 2 * pw + max_extra), label="W")
    return dict(shape=(draw(st.integers(1, max_batch), label="N"), draw(st.integers(1, max_channels), label="C"),
                     h, w),
                kernel_size=kh if square else (kh, kw), stride=stride, padding=ph if square else (ph, pw),
                offset=draw(st.sampled_from([0.0, -4.0, 3.0]), label="offset"),
                dtype=draw(st.sampled_from(["float32", "float64"]), label="dtype"),
                seed=draw(st.integers(0, 2**16), label="seed"))


def make_input(case: dict) -> torch.Tensor:
    """The tensor a case describes: given values, or seeded normal noise plus an offset."""
    dtype = getattr(torch, case.get("dtype", "float32"))
    if "values" in case:
        return torch.tensor(case["values"], dtype=dtype)
    g = torch.Generator().manual_seed(case["seed"])
    return (torch.randn(case["shape"], generator=g, dtype=torch.float64) + case.get("offset", 0.0)).to(dtype)


def describe(x: torch.Tensor) -> str:
    """A tensor as a student can rebuild it: its values when small, else its shape and dtype."""
    dtype = str(x.dtype).removeprefix("torch.")
    if x.numel() <= 36:
        values = np.round(x.detach().double().numpy(), 4).tolist()
        return f"x = torch.tensor({values}, dtype=torch.{dtype})"
    return f"x of shape {tuple(x.shape)} and dtype {dtype} (seeded torch.randn)"


def pool_call(func: str, case: dict, x: torch.Tensor) -> str:
    return (f"{func}(x, kernel_size={case['kernel_size']!r}, stride={case['stride']!r}, "
            f"padding={case['padding']!r})\n  with {describe(x)}")


# ---------------------------------------------------------------- oracles
def torch_pool(mode: str, x, kernel_size, stride=None, padding=0, **options):
    if mode == "max":
        return F.max_pool2d(x, kernel_size, stride, padding, **options)
    return F.avg_pool2d(x, kernel_size, stride, padding, **options)


def _window_pool(mode, x, kernel_size, stride, padding, window, divisor=None):
    """Pooling on the usual output grid, but each window covering only ``window`` cells."""
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = (kh, kw) if stride is None else pair(stride)
    wh, ww = window
    ho = (x.shape[-2] + 2 * ph - kh) // sh + 1
    wo = (x.shape[-1] + 2 * pw - kw) // sw + 1
    padded = F.pad(x, (pw, pw, ph, ph), value=float("-inf") if mode == "max" else 0.0)
    trimmed = padded[..., : sh * (ho - 1) + wh, : sw * (wo - 1) + ww]
    if mode == "max":
        return F.max_pool2d(trimmed, (wh, ww), (sh, sw))
    return F.avg_pool2d(trimmed, (wh, ww), (sh, sw)) * (wh * ww) / (divisor or wh * ww)


def _short_range(x, mode, kernel_size, stride, padding):
    """The windows that ``range(0, H + 2p - k, s)`` gives: the last one is lost when it ends at the edge."""
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = (kh, kw) if stride is None else pair(stride)
    full = torch_pool(mode, x, kernel_size, stride, padding)
    ho = len(range(0, x.shape[-2] + 2 * ph - kh, sh))
    wo = len(range(0, x.shape[-1] + 2 * pw - kw, sw))
    return full[..., :ho, :wo]


def pool_misconceptions(mode: str, x, kernel_size, stride=None, padding=0) -> dict:
    """What each known mistake gives for this input, as ``{variant name: (hint id, value)}``."""
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    out = {}
    if stride is None:
        out["default stride 1"] = ("default_stride", torch_pool(mode, x, kernel_size, 1, padding))
    if mode == "max":
        out["zero padding"] = ("max_pad_zero", F.max_pool2d(F.pad(x, (pw, pw, ph, ph)), kernel_size, stride))
    else:
        out["count_include_pad=False"] = ("count_exclude_pad",
                                          F.avg_pool2d(x, kernel_size, stride, padding, count_include_pad=False))
        area = kh * kw
        out["floor division"] = ("integer_division", torch.div(F.avg_pool2d(x, kernel_size, stride, padding) * area,
                                                               area, rounding_mode="floor"))
    if kh > 1 and kw > 1:
        out["window one short"] = ("window_off_by_one",
                                   _window_pool(mode, x, kernel_size, stride, padding, (kh - 1, kw - 1)))
    out["max/avg swapped"] = ("max_avg_swapped",
                              torch_pool("avg" if mode == "max" else "max", x, kernel_size, stride, padding))
    out["ceil mode"] = ("output_size", torch_pool(mode, x, kernel_size, stride, padding, ceil_mode=True))
    out["range one short"] = ("output_size", _short_range(x, mode, kernel_size, stride, padding))
    return out


def _unique(hints) -> str | None:
    hints = set(hints)
    return hints.pop() if len(hints) == 1 else None


def diagnose(got, expected, wrong) -> str | None:
    """The hint of the known mistakes that ``got`` equals (the right answer does not); None when none or
    several mistakes of different hints fit. ``wrong``: ``{name: (hint, value)}``, ``{hint: value}`` or
    ``[(hint, value), ...]``."""
    if not isinstance(got, torch.Tensor):
        return None
    if isinstance(wrong, dict):
        wrong = [v if isinstance(v, tuple) else (k, v) for k, v in wrong.items()]
    return _unique(hint for hint, value in wrong
                   if isinstance(value, torch.Tensor) and not _close(value, expected) and _close(got, value))


def _probe_inputs(x: torch.Tensor) -> list:
    """Two more inputs of x's shape and dtype: negative values (zero padding then shows) and positive ones."""
    g = torch.Generator().manual_seed(1234 + int(x.numel()))
    base = torch.randn(tuple(x.shape), generator=g, dtype=torch.float64)
    return [(base - 4.0).to(x.dtype), (base.abs() + 1.0).to(x.dtype)]


def diagnose_pool(mode: str, got, x, args: dict, student=None) -> str | None:
    """The hint of the mistake that explains ``got``, confirmed (when ``student``, a function of x, is given)
    by rerunning the student's pooling on two more inputs with the same settings."""
    from autograder.diagnose import confirmed

    expected = torch_pool(mode, x, **args)
    first = diagnose(got, expected, pool_misconceptions(mode, x, **args))
    if first is None or student is None:
        return first
    table: dict[int, dict] = {}   # the variants of each input, computed once (inputs live through this call)

    def of(inp):
        if id(inp) not in table:
            table[id(inp)] = pool_misconceptions(mode, inp, **args)
        return table[id(inp)]

    keep = [x, *_probe_inputs(x)]
    names = list(of(x))
    variants = {name: (lambda inp, name=name: of(inp)[name][1]) for name in names}
    alive = confirmed(student, lambda inp: torch_pool(mode, inp, **args), variants, x, keep[1:],
                      same=lambda a, b: isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and _close(a, b))
    return _unique(of(x)[name][0] for name in alive)


def _close(a, b) -> bool:
    rtol, atol = TOLERANCES["float32"]
    a, b = a.detach().double(), b.detach().double()
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def check_pool(got, expected, what: str, hint: str | None, reveal: bool = True) -> None:
    if not isinstance(got, torch.Tensor):
        fail(what, got, "a torch tensor" if reveal else None, reveal=reveal,
             detail="  (return a torch.Tensor of the input's dtype)")
    try:
        assert_close(got, expected, what, reveal=reveal)
    except Mismatch as exc:
        raise Mismatch(str(exc) + _float32_note(got, expected) + hint_text(hint, HINTS)) from None


def _float32_note(got, expected) -> str:
    """An observation (not a cause): float64 values that agree with the expected ones only to float32 precision."""
    if expected.dtype != torch.float64 or got.shape != expected.shape or not bool(torch.isfinite(got).all()):
        return ""
    g, e = got.detach().double(), expected.detach().double()
    scale = max(1.0, float(e.abs().max()))
    if bool(torch.allclose(g, e, rtol=F32[0] * 10, atol=F32[1] * scale)):
        return ("\n  note: your values agree with the expected ones only to about 6 significant digits, the "
                "precision of float32: compute in the input's dtype (float64 here)")
    return ""


def torch_maxpool_iter(x, n):
    for _ in range(n):
        x = F.max_pool2d(x, 3, 1, 1)
    return x


def torch_gauss_kernel(size, sigma):
    c = (size - 1) / 2
    g = torch.exp(-(torch.arange(size, dtype=torch.float64) - c) ** 2 / (2 * sigma ** 2))
    k = torch.outer(g, g)
    return (k / k.sum()).float()


def torch_blur_iter(x, kernel, n):
    c, k = x.shape[1], kernel.shape[-1]
    weight = kernel.to(x.dtype).expand(c, 1, k, k)
    for _ in range(n):
        x = F.conv2d(x, weight, padding=k // 2, groups=c)
    return x


def kernel_misconceptions(size, sigma) -> list:
    """(hint, wrong kernel) pairs for the usual mistakes in building a Gaussian kernel."""
    offsets = torch.arange(size, dtype=torch.float64)

    def kernel(centre, denom, normalise=True):
        g = torch.exp(-(offsets - centre) ** 2 / denom)
        k = torch.outer(g, g)
        return (k / k.sum() if normalise else k).float()

    c = (size - 1) / 2
    return [("kernel_sum", kernel(c, 2 * sigma ** 2, normalise=False)),
            ("kernel_centre", kernel(size // 2, 2 * sigma ** 2)),
            ("kernel_two_sigma", kernel(c, sigma ** 2)),
            ("kernel_two_sigma", kernel(c, 2 * sigma)),
            ("kernel_two_sigma", kernel(c, sigma))]


# ---------------------------------------------------------------- by-hand answers
SNAP_DENOMINATOR = 1000      # answers here are multiples of 1/9; 1/(9 * 1000) >> 2 * the tolerance below
SNAP_TOLERANCE = 1e-5        # a float within this of a simple fraction is taken as that fraction


def exact(value):
    """A number as an int, a Fraction, or (when no simple fraction is within tolerance) a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Rational):
        return Fraction(str(value))
    if isinstance(value, numbers.Real) or hasattr(value, "__float__"):
        f = float(value)
        if not math.isfinite(f):
            return f
        snapped = Fraction(f).limit_denominator(SNAP_DENOMINATOR)
        if abs(float(snapped) - f) <= SNAP_TOLERANCE:
            return int(snapped) if snapped.denominator == 1 else snapped
        return f
    return value


def normalise_answer(value):
    """A matrix answer as nested lists of exact numbers (tensors, arrays, tuples and lists alike)."""
    if isinstance(value, (torch.Tensor, np.ndarray, np.generic)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [normalise_answer(v) for v in value]
    return exact(value)


def validate_matrix(value) -> str | None:
    rows = value
    ok = (isinstance(rows, list) and rows and all(isinstance(r, list) and r for r in rows)
          and len({len(r) for r in rows}) == 1
          and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for r in rows for v in r))
    return None if ok else "an answer here is a matrix: a list of rows of numbers (or a 2-D tensor/array)."


def written_forms(matrix) -> dict:
    """The same answer written the ways a student may write it."""
    def each(f):
        return [[f(v) for v in row] for row in matrix]
    return {"exact fractions": each(lambda v: Fraction(str(v)) if not isinstance(v, float) else v),
            "Python floats": each(float),
            "float32 values": each(lambda v: float(np.float32(float(v)))),
            "a float32 tensor": torch.tensor(each(float), dtype=torch.float32),
            "a float64 numpy array": np.array(each(float), dtype=np.float64)}


def same_key_for_every_form(matrix, keys: dict, part: str) -> None:
    """The answer key must accept a right answer whether it is written as fractions or floats."""
    for form, written in written_forms(matrix).items():
        if digest(EXERCISE, part, normalise_answer(written)) != keys["parts"][part]["answer"]:
            raise Mismatch(f"{part}(): your answer is right, but the grader's key does not accept it when "
                           f"written as {form}; please report this to the course staff.")


# ---------------------------------------------------------------- files and images
def grader_tmpdir():
    """A fresh folder that student code may read and write (see autograder.uploads.shared_folder:
    the grader reads and writes in it without following links)."""
    return uploads.shared_folder("pooling-grader-")


def write_png(path: Path, pixels: np.ndarray) -> Path:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return uploads.write_exclusive(path, buffer.getvalue())


def read_student_file(path: Path) -> bytes | None:
    """The bytes of a file student code wrote, if it is a regular file (never through a link)."""
    try:
        return uploads.read_regular(path, path.name)
    except OSError:
        return None


def random_pixels(seed: int, height: int, width: int, mode: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (height, width) if mode == "L" else (height, width, len(mode))
    pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
    flat = pixels.reshape(-1)
    flat[0], flat[-1] = 0, 255  # both ends of the range appear (one pixel: 255)
    return pixels


def pil_gray(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(uploads.read_regular(Path(path), Path(path).name))) as image:
        return np.asarray(image.convert("L"))


def sample_image_path(root: Path) -> Path | None:
    """The sample picture shipped with the exercise, where the bundle or the repository has it."""
    for folder in (root / "exercises" / "assets" / EXERCISE, root / "solutions" / "assets" / EXERCISE):
        if (folder / "sample.png").is_file():
            return folder / "sample.png"
    return None


def expected_pixels(x: torch.Tensor) -> np.ndarray:
    return np.round(np.clip(x.detach().double().reshape(x.shape[-2:]).numpy(), 0, 1) * 255).astype(np.uint8)


# ---------------------------------------------------------------- probes (run next to the student code)
def image_pixels(obj):
    """Probe: the pixels of what ``to_image`` returned (a PIL image or an array) as plain data."""
    if hasattr(obj, "getbands") and hasattr(obj, "size"):
        return {"mode": str(obj.mode), "pixels": np.asarray(obj).copy()}
    return {"mode": None, "pixels": np.asarray(obj).copy()}


def figure_panels(fig):
    """Probe: what a matplotlib figure shows, axes by axes, as plain data; then release the figure."""
    panels = []
    try:
        for ax in fig.axes:
            spec = ax.get_subplotspec()
            images = ax.get_images()
            array = np.ma.getdata(images[-1].get_array()) if images else None
            panels.append({
                "grid": None if spec is None else [int(spec.get_gridspec().nrows), int(spec.get_gridspec().ncols)],
                "row": None if spec is None else int(spec.rowspan.start),
                "col": None if spec is None else int(spec.colspan.start),
                "images": len(images),
                "image": None if array is None else np.array(array, dtype=np.float64),
                "cmap": str(images[-1].get_cmap().name) if images else None,
                "clim": [float(v) if v is not None else None for v in images[-1].get_clim()] if images else None,
                "integer": bool(array is not None and np.issubdtype(np.asarray(array).dtype, np.integer)),
            })
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
    return panels


__all__ = ["Mismatch"]
