"""Public grading tests for exercises/pooling.py.

Part A is checked against F.max_pool2d / F.avg_pool2d on inputs hypothesis draws, plus the rule
(no built-in pooling or unfold); Part B against hashed answer keys; Part C against torch-built
oracles (F.max_pool2d, F.conv2d, PIL) and properties. Files are written to a fresh temp folder.

Promises of the docstrings and the tests that exercise them:

===========================================================  ==================================================
promise                                                      test(s)
===========================================================  ==================================================
max/avg_pool: [N, C, H, W], N > 1, C > 1, non-square H, W    test_max_pool_matches_torch, test_avg_pool_matches_torch;
                                                             hidden: test_max_pool_on_larger_inputs,
                                                             test_avg_pool_on_larger_inputs
kernel_size/stride/padding as int or pair, mixed forms       same (pool_cases; MIXED_FORMS_CASE examples)
stride=None means kernel_size                                same (stride drawn as None)
max pads with -inf (values far below -1e9 too)               same (NEGATIVE_CASE, HUGE_NEGATIVE_CASE)
avg counts padded zeros (count_include_pad=True)             test_avg_pool_matches_torch
floor mode output size                                       same (sizes drawn so windows hang over)
float32 and float64 in, same dtype out                       same (dtype drawn; dtype checked)
rule: no built-in pooling / unfold (text and run)            test_pooling_is_written_from_scratch
by-hand answers, fractions or floats                         test_by_hand_answer
maxpool_iter: shape kept, n = 0 unchanged, negatives,        test_maxpool_iter_keeps_shape_grows_and_matches_torch;
monotone in n                                                hidden: test_iterated_pooling_and_blur_on_larger_images
gauss_kernel_2d: sum 1, symmetric, even sizes (float32 or   test_gauss_kernel_is_normalised_symmetric_and_gaussian;
float64 accepted)                                            hidden: test_gauss_kernel_on_wider_settings
gaussian_blur_iter: cross-correlation (lopsided kernel),     test_gaussian_blur_iter_matches_conv2d;
per channel, zero pad k // 2, n times, float32/float64       hidden: test_iterated_pooling_and_blur_on_larger_images
images, float64 kernel, image's dtype out
load_image: L/RGB/RGBA -> gray "L" / 255, [1, 1, H, W],      test_load_image_reads_grayscale_in_unit_range,
float32                                                      test_load_image_reads_the_sample_picture
to_image: clip, round, [1, 1, H, W] or [H, W], mode L        test_to_image_rounds_clips_and_round_trips
plot_comparison: 2 x 5 grid, rows max/blur, iterations and   test_plot_comparison_writes_a_2x5_grid_png
kernel options, one imshow each, cmap gray, vmin 0, vmax 1,
PNG written, Figure returned
===========================================================  ==================================================

Hints on max_pool/avg_pool are claimed only when the named mistake reproduces the output on the failing
input and on two more inputs with the same settings (pooling_support.diagnose_pool); the other hints
only when their mistake reproduces the output (pooling_support.diagnose), or when what they say is
observed directly (a dtype, a sum, a drawing range).
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch, assert_close, check_keyed_answer, exceeds, fail, hint_text, load_keys
from autograder.rules import check_source, run_without

from .pooling_support import (EXERCISE, F32, FORBIDDEN_CALLS, FORBIDDEN_NAMES, HINTS, RULE, check_pool, describe,
                              diagnose, diagnose_pool, expected_pixels, figure_panels, grader_tmpdir, image_pixels,
                              kernel_misconceptions, make_input, normalise_answer, pil_gray, pool_call,
                              pool_cases, pool_misconceptions, random_pixels, same_key_for_every_form,
                              sample_image_path, torch_blur_iter, torch_gauss_kernel, torch_maxpool_iter,
                              torch_pool, validate_matrix, write_png, read_student_file)

pytestmark = pytest.mark.exercise(EXERCISE)

ROOT = Path(__file__).resolve().parents[2]
MATRIX_A = [[1, 1, 1, 0, 1], [1, 0, 1, 0, 1], [1, 1, 1, 0, 1], [0, 0, 0, 0, 1], [1, 1, 1, 1, 1]]
BY_HAND_CASE = dict(values=[[MATRIX_A]], kernel_size=3, stride=2, padding=0, dtype="float32")
NEGATIVE_CASE = dict(shape=(1, 1, 4, 5), kernel_size=3, stride=None, padding=1, offset=-4.0, dtype="float32",
                     seed=7)
# Values far below any finite stand-in for -inf (-1e9, -9999, ...) that a padding might use.
HUGE_NEGATIVE_CASE = dict(shape=(1, 2, 5, 4), kernel_size=3, stride=2, padding=1, offset=-1e12, dtype="float64",
                          seed=11)
# The forms of the arguments mixed: an int kernel with pairs, a pair kernel with ints.
MIXED_FORMS_CASE = dict(shape=(2, 1, 7, 6), kernel_size=3, stride=(2, 1), padding=(1, 0), offset=0.0,
                        dtype="float64", seed=5)
MIXED_FORMS_CASE_2 = dict(shape=(1, 2, 6, 7), kernel_size=(2, 4), stride=3, padding=1, offset=-4.0, dtype="float32",
                          seed=9)


# ---------------------------------------------------------------- Part A
def _check_pool_against_torch(submission, mode: str, case: dict) -> None:
    x = make_input(case)
    args = dict(kernel_size=case["kernel_size"], stride=case["stride"], padding=case["padding"])
    pool = getattr(submission(EXERCISE), f"{mode}_pool")
    got = pool(x, **args)
    expected = torch_pool(mode, x, **args)
    what = pool_call(f"{mode}_pool", case, x) + f"\n  compared with F.{mode}_pool2d"
    try:
        check_pool(got, expected, what, None)
    except Mismatch as exc:   # a cause is named only when it reproduces this output and two more
        hint = diagnose_pool(mode, got, x, args, student=lambda inp: pool(inp, **args))
        raise Mismatch(str(exc) + hint_text(hint, HINTS)) from None
    if got.dtype != x.dtype:
        raise Mismatch(f"{pool_call(f'{mode}_pool', case, x)}\n  the values are right but the dtype is "
                       f"{got.dtype}; return the input's dtype ({x.dtype})")


@weight(2)
@settings(max_examples=20)
@given(case=pool_cases())
@example(case=BY_HAND_CASE)
@example(case=NEGATIVE_CASE)
@example(case=HUGE_NEGATIVE_CASE)
@example(case=MIXED_FORMS_CASE)
@example(case=MIXED_FORMS_CASE_2)
def test_max_pool_matches_torch(submission, case):
    """max_pool agrees with F.max_pool2d (kernel, stride, padding as ints or pairs)"""
    _check_pool_against_torch(submission, "max", case)


@weight(2)
@settings(max_examples=20)
@given(case=pool_cases())
@example(case=BY_HAND_CASE)
@example(case=NEGATIVE_CASE)
@example(case=HUGE_NEGATIVE_CASE)
@example(case=MIXED_FORMS_CASE)
@example(case=MIXED_FORMS_CASE_2)
def test_avg_pool_matches_torch(submission, case):
    """avg_pool agrees with F.avg_pool2d (zeros of the padding count in the average)"""
    _check_pool_against_torch(submission, "avg", case)


@weight(1)
def test_pooling_is_written_from_scratch(submission):
    """Rule: no built-in pooling or unfold in pooling.py"""
    sub = submission(EXERCISE)
    x = torch.randn(2, 2, 7, 6)
    sub.max_pool(x, 3)
    run_without(sub, FORBIDDEN_CALLS, RULE, sub, "max_pool", x, 3, 2, 1)
    run_without(sub, FORBIDDEN_CALLS, RULE, sub, "avg_pool", x, (2, 3), None, (1, 0))
    run_without(sub, FORBIDDEN_CALLS, RULE, sub, "maxpool_iter", x, 2)
    check_source(sub, FORBIDDEN_NAMES, RULE)


# ---------------------------------------------------------------- Part B (by hand)
KEYS = load_keys(EXERCISE, ROOT)
PARTS = sorted(KEYS["parts"])


@weight(1)
@pytest.mark.parametrize("part", PARTS)
def test_by_hand_answer(submission, part):
    """By-hand answer (fractions and floats both accepted)"""
    got = getattr(submission(EXERCISE), part)()
    answer = normalise_answer(got)
    check_keyed_answer(answer, KEYS, EXERCISE, part, f"{part}()", hints=HINTS, validate=validate_matrix)
    # The key accepts a right answer however it is written: Fractions, floats, float32, tensors, arrays.
    same_key_for_every_form(answer, KEYS, part)


# ---------------------------------------------------------------- Part C
@st.composite
def images(draw, max_batch=2, max_channels=2, max_side=12, negative=True):
    shape = (draw(st.integers(1, max_batch), label="N"), draw(st.integers(1, max_channels), label="C"),
             draw(st.integers(1, max_side), label="H"), draw(st.integers(1, max_side), label="W"))
    offset = draw(st.sampled_from([0.0, -3.0] if negative else [0.0]), label="offset")
    seed = draw(st.integers(0, 2**16), label="seed")
    g = torch.Generator().manual_seed(seed)
    if negative:
        return torch.randn(shape, generator=g) + offset
    return torch.rand(shape, generator=g)


@weight(1)
@settings(max_examples=15)
@given(x=images(), n=st.integers(0, 4))
@example(x=-torch.arange(20.0).reshape(1, 1, 4, 5), n=1)
def test_maxpool_iter_keeps_shape_grows_and_matches_torch(submission, x, n):
    """maxpool_iter keeps the shape, never decreases a pixel, and matches iterated F.max_pool2d(x, 3, 1, 1)"""
    sub = submission(EXERCISE)
    what = f"maxpool_iter(x, {n})\n  with {describe(x)}"
    got = sub.maxpool_iter(x, n)
    expected = torch_maxpool_iter(x, n)
    wrong = [("iter_zero_pad", _zero_padded_iter(x, n))] + [("iter_count", torch_maxpool_iter(x, m))
                                                               for m in (n - 1, n + 1) if m >= 0]
    if not isinstance(got, torch.Tensor) or got.shape != x.shape:
        check_pool(got, expected, what + "\n  (the shape must stay [N, C, H, W])",
                   diagnose(got, expected, [("iter_shape", _unpadded_iter(x, n))]))
    more = sub.maxpool_iter(x, n + 1)
    if isinstance(more, torch.Tensor) and more.shape == got.shape and not bool((more >= got).all()):
        bad = int((more < got).sum())
        raise Mismatch(f"maxpool_iter(x, {n + 1}) is smaller than maxpool_iter(x, {n}) at {bad} pixels, but each "
                       f"step takes a maximum over a window that contains the pixel itself\n  with {describe(x)}")
    hint = diagnose(got, expected, wrong)
    if hint == "iter_zero_pad" and n > 0:
        # Verified further: is the zero padding in the student's max_pool itself (maxpool_iter calling it)?
        try:
            one = sub.max_pool(x, 3, 1, 1)
        except Exception:  # noqa: BLE001 - max_pool is graded by its own tests
            one = None
        padded_zero = _zero_padded_iter(x, 1)
        if isinstance(one, torch.Tensor) and _close_tensors(one, padded_zero) and \
                not _close_tensors(padded_zero, torch_maxpool_iter(x, 1)):
            hint = "max_pad_zero"
    check_pool(got, expected, what + "\n  compared with F.max_pool2d(x, 3, stride=1, padding=1) applied n times",
               hint)


def _close_tensors(a, b) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a.detach().double(), b.detach().double(), rtol=F32[0],
                                                      atol=F32[1]))


def _unpadded_iter(x, n):
    for _ in range(n):
        if min(x.shape[-2:]) < 3:
            return None
        x = torch.nn.functional.max_pool2d(x, 3, 1)
    return x


def _zero_padded_iter(x, n):
    for _ in range(n):
        x = torch.nn.functional.max_pool2d(torch.nn.functional.pad(x, (1, 1, 1, 1)), 3, 1)
    return x


@weight(1)
@given(size=st.integers(1, 9), sigma=st.floats(0.3, 3.0))
@example(size=5, sigma=1.0)
@example(size=4, sigma=1.0)
def test_gauss_kernel_is_normalised_symmetric_and_gaussian(submission, size, sigma):
    """gauss_kernel_2d sums to 1, is symmetric, and has Gaussian entries"""
    got = submission(EXERCISE).gauss_kernel_2d(size, sigma)
    expected = torch_gauss_kernel(size, sigma)
    wrong = kernel_misconceptions(size, sigma)
    what = f"gauss_kernel_2d({size}, {sigma!r})"
    hint = diagnose(got, expected, wrong)
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        check_pool(got, expected, what, hint)
    total = float(got.double().sum())
    if exceeds(abs(total - 1), 1e-5):
        fail(what + ": the entries must sum to 1", total, 1.0, hint=hint or "kernel_sum", hints=HINTS)
    g = got.double()
    if not (torch.allclose(g, g.T, atol=1e-7) and torch.allclose(g, g.flip(0), atol=1e-7)
            and torch.allclose(g, g.flip(1), atol=1e-7)):
        raise Mismatch(f"{what} is not symmetric (it must equal its transpose and its mirror images)"
                       + (f"\nHint: {HINTS[hint]}" if hint else ""))
    assert_close(got, expected, what + "\n  compared with exp(-r^2 / (2 sigma^2)), normalised", hint=hint,
                 hints=HINTS)


def _blur_kernel(kind: str, size: int, sigma: float) -> torch.Tensor:
    """A Gaussian, or (kind "lopsided") a kernel that is not symmetric: flipping or transposing it shows."""
    kernel = torch_gauss_kernel(size, sigma)
    if kind == "lopsided":
        ramp = torch.arange(1, size * size + 1, dtype=torch.float32).reshape(size, size)
        kernel = kernel * ramp / (kernel * ramp).sum()
    elif kind == "float64":
        kernel = kernel.double()
    return kernel


@weight(1)
@settings(max_examples=15)
@given(x=images(negative=False), size=st.sampled_from([1, 3, 5, 7]), sigma=st.floats(0.5, 2.0),
       n=st.integers(0, 3), kind=st.sampled_from(["gauss", "lopsided", "float64"]),
       dtype=st.sampled_from(["float32", "float64"]))
@example(x=torch.ones(1, 2, 6, 5), size=3, sigma=1.0, n=1, kind="gauss", dtype="float32")
@example(x=torch.rand(1, 1, 5, 6, generator=torch.Generator().manual_seed(3)), size=3, sigma=1.0, n=2,
         kind="lopsided", dtype="float64")
@example(x=torch.rand(2, 2, 6, 5, generator=torch.Generator().manual_seed(4)), size=3, sigma=1.0, n=1,
         kind="float64", dtype="float32")
def test_gaussian_blur_iter_matches_conv2d(submission, x, size, sigma, n, kind, dtype):
    """gaussian_blur_iter agrees with F.conv2d (depthwise, zero padding k // 2) applied n times, for any kernel
    (also not symmetric, also float64) and float32 or float64 images"""
    x = x.to(getattr(torch, dtype))
    kernel = _blur_kernel(kind, size, sigma)
    got = submission(EXERCISE).gaussian_blur_iter(x, kernel, n)
    expected = torch_blur_iter(x, kernel, n)
    wrong = [("blur_count", torch_blur_iter(x, kernel, m)) for m in (n - 1, n + 1) if m >= 0]
    if x.shape[1] > 1:
        mixed = kernel.to(x.dtype).expand(x.shape[1], x.shape[1], size, size) / x.shape[1]
        y = x
        for _ in range(n):
            y = torch.nn.functional.conv2d(y, mixed, padding=size // 2)
        wrong.append(("blur_channels", y))
    wrong.append(("blur_flipped", torch_blur_iter(x, kernel.flip(0, 1), n)))
    if n > 0 and size > 1 and min(x.shape[-2:]) >= n * (size - 1) + 1:
        y = x
        for _ in range(n):
            y = torch.nn.functional.conv2d(y, kernel.to(x.dtype).expand(x.shape[1], 1, size, size), groups=x.shape[1])
        wrong.append(("blur_padding", y))
    kernel_text = {"gauss": f"gauss_kernel_2d({size}, {sigma!r})",
                   "float64": f"gauss_kernel_2d({size}, {sigma!r}).double()",
                   "lopsided": f"a {size}x{size} kernel that is not symmetric, {np.round(kernel.numpy(), 4).tolist()}"}
    what = (f"gaussian_blur_iter(x, {kernel_text[kind]}, {n})\n  with {describe(x)}\n  compared with "
            f"F.conv2d(x, kernel, padding={size // 2}, groups=C) applied n times")
    check_pool(got, expected, what, diagnose(got, expected, wrong))
    if got.dtype != x.dtype:
        raise Mismatch(f"{what}\n  the values are right but the dtype is {got.dtype}; return the image's dtype "
                       f"({x.dtype}), whatever the kernel's dtype")


def _check_loaded(got, gray: np.ndarray, what: str, rgb: np.ndarray | None = None) -> None:
    expected = torch.from_numpy(gray.astype(np.float32) / 255)[None, None]
    if not isinstance(got, torch.Tensor):
        fail(what, got, "a torch tensor", detail="  (return a float tensor [1, 1, H, W])")
    if got.shape != expected.shape:
        hint = ("image_shape" if got.numel() == expected.numel() and got.is_floating_point()
                and _close_tensors(got.reshape(expected.shape), expected) else None)   # verified: right values
        raise Mismatch(f"{what}\n  expected shape: {tuple(expected.shape)}\n  got shape:      {tuple(got.shape)}"
                       + (f"\nHint: {HINTS[hint]}" if hint else ""))
    if not got.is_floating_point():
        raise Mismatch(f"{what}\n  got a tensor of dtype {got.dtype}; return a float tensor (float32)")
    hint = None
    if torch.allclose(got.double(), expected.double() * 255, atol=1e-3) and gray.max() > 0:
        hint = "image_scale"
    elif rgb is not None and torch.allclose(got.double().flatten(),
                                            torch.from_numpy(rgb[..., :3].mean(-1) / 255).flatten(), atol=1e-3):
        hint = "image_gray"
    assert_close(got, expected, what + "\n  compared with PIL's convert(\"L\") divided by 255", hint=hint,
                 hints=HINTS)
    if got.dtype != torch.float32:
        raise Mismatch(f"{what}\n  the values are right but the dtype is {got.dtype}; the docstring asks for "
                       "float32" + (f"\nHint: {HINTS['image_dtype']}" if got.dtype == torch.float64 else ""))


@weight(1)
@settings(max_examples=12)
@given(mode=st.sampled_from(["L", "RGB", "RGBA"]), height=st.integers(1, 12), width=st.integers(1, 12),
       seed=st.integers(0, 2**16))
def test_load_image_reads_grayscale_in_unit_range(submission, mode, height, width, seed):
    """load_image gives a [1, 1, H, W] float tensor in [0, 1] (PNG files the grader writes)"""
    pixels = random_pixels(seed, height, width, mode)
    with grader_tmpdir() as tmp:
        path = write_png(tmp / f"picture_{mode}.png", pixels)
        got = submission(EXERCISE).load_image(str(path))
        gray = pil_gray(path)
    _check_loaded(got, gray, f"load_image(a {width}x{height} {mode} PNG)", rgb=pixels if mode != "L" else None)


@weight(1)
def test_load_image_reads_the_sample_picture(submission):
    """load_image works on the exercise's sample picture"""
    sub = submission(EXERCISE)
    shipped = sample_image_path(ROOT)
    with grader_tmpdir() as tmp:
        if shipped is None:  # the autograder has no copy of the assets: draw the picture again
            sub.make_sample_image(str(tmp / "sample.png"))
            shipped = tmp / "sample.png"
        got = sub.load_image(str(shipped))
        _check_loaded(got, pil_gray(shipped), "load_image(the sample picture, assets/pooling/sample.png)")


@st.composite
def unit_tensors(draw):
    """Tensors whose values * 255 are never halfway between two integers (no rounding ties)."""
    height, width = draw(st.integers(1, 8), label="H"), draw(st.integers(1, 8), label="W")
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**16), label="seed"))
    levels = torch.randint(0, 256, (height, width), generator=g).double()
    nudge = torch.tensor([-0.4, -0.2, 0.0, 0.3, 0.45])[torch.randint(0, 5, (height, width), generator=g)]
    x = (levels + nudge.double()) / 255
    if draw(st.booleans(), label="some values outside [0, 1]"):
        x.view(-1)[0], x.view(-1)[-1] = -0.25, 1.3
    x = x.float()
    return x[None, None] if draw(st.booleans(), label="[1, 1, H, W]") else x


def _pixels_of(sub, result):
    """to_image's result as (mode, uint8 array); a PIL image is read next to the student code."""
    if isinstance(result, np.ndarray):
        return None, result
    data = sub.run_probe(image_pixels, result)
    return data["mode"], data["pixels"]


@weight(1)
@settings(max_examples=15)
@given(x=unit_tensors(), mode=st.sampled_from(["L", "RGB"]), seed=st.integers(0, 2**16))
@example(x=torch.tensor([[[[0.0, 0.999, 1.0, 0.5 / 255 + 0.3 / 255]]]]), mode="L", seed=1)
def test_to_image_rounds_clips_and_round_trips(submission, x, mode, seed):
    """to_image rounds to 8-bit pixels, and PNG -> load_image -> to_image gives the PNG's pixels back"""
    sub = submission(EXERCISE)
    what = f"to_image(x)\n  with {describe(x)}"
    image_mode, got = _pixels_of(sub, sub.to_image(x))
    expected = expected_pixels(x)
    if image_mode is not None and image_mode != "L":
        raise Mismatch(f"{what}\n  returned a PIL image of mode {image_mode!r}; make it grayscale, mode \"L\"")
    if got.dtype != np.uint8:
        raise Mismatch(f"{what}\n  got an array of dtype {got.dtype}; return 8-bit pixels (uint8)")
    hint = None
    raw = x.detach().double().reshape(x.shape[-2:]).numpy() * 255
    if got.shape == expected.shape and not np.array_equal(got, expected):
        inside = (raw >= 0) & (raw <= 255)
        floor = np.floor(raw[inside]).astype(np.uint8)
        if np.array_equal(got[inside], floor) and not np.array_equal(floor, expected[inside]):
            hint = "round_not_truncate"
        elif not inside.all() and np.array_equal(got[inside], expected[inside]):
            hint = "no_clip"
    assert_close(got.astype(np.int64), expected.astype(np.int64), what + "\n  compared with "
                 "round(clip(x, 0, 1) * 255) as uint8", rtol=0, atol=0, hint=hint, hints=HINTS)

    pixels = random_pixels(seed, 5, 7, mode)
    with grader_tmpdir() as tmp:
        path = write_png(tmp / "round_trip.png", pixels)
        gray = pil_gray(path)
        image_mode, back = _pixels_of(sub, sub.to_image(sub.load_image(str(path))))
    if back.shape != gray.shape or not np.array_equal(back, gray):
        raise Mismatch(f"to_image(load_image(png)) does not give back the pixels of a {mode} PNG "
                       f"(grayscale, 7x5): {int((back != gray).sum()) if back.shape == gray.shape else 'all'} "
                       "pixels differ")


@weight(1)
def test_plot_comparison_writes_a_2x5_grid_png(submission):
    """plot_comparison saves a PNG of a 2 x 5 grid: max pooling on top, blur below"""
    _check_plot(submission, seed=0, custom=False)
    _check_plot(submission, seed=1, custom=True)


def _check_plot(submission, seed: int, custom: bool) -> None:
    g = torch.Generator().manual_seed(seed)
    img = torch.rand(1, 1, 12, 10, generator=g)
    iterations, kernel = ((0, 2, 3, 5, 7), torch_gauss_kernel(3, 0.8)) if custom else ((0, 1, 2, 3, 4), None)
    sub = submission(EXERCISE)
    call = ("plot_comparison(img, path" + (f", iterations={iterations}, kernel=gauss_kernel_2d(3, 0.8))"
                                            if custom else ")") + f" with img of shape {tuple(img.shape)}")
    with grader_tmpdir() as tmp:
        path = tmp / "comparison.png"
        fig = sub.plot_comparison(img, str(path), iterations, kernel) if custom else \
            sub.plot_comparison(img, str(path))
        written = read_student_file(path)
        if not written:
            raise Mismatch(f"{call}\n  no PNG file was written at the path given (or not a plain file)")
        from PIL import Image
        try:
            with Image.open(io.BytesIO(written)) as png:
                png.load()
                fmt, size = png.format, png.size
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the student's to fix
            raise Mismatch(f"{call}\n  the file written is not an image PIL can read ({type(exc).__name__})")
        if fmt != "PNG" or min(size) == 0:
            raise Mismatch(f"{call}\n  the file written is a {fmt} image of size {size}; save a non-empty PNG")
    if fig is None or isinstance(fig, (int, float, str, list, tuple, dict, np.ndarray, torch.Tensor)):
        raise Mismatch(f"{call}\n  returned {fig!r}; return the matplotlib Figure that was saved")
    panels = sub.run_probe(figure_panels, fig)
    grids = {tuple(p["grid"]) if p["grid"] else None for p in panels}
    if len(panels) != 10 or grids != {(2, 5)} or any(p["images"] != 1 for p in panels):
        raise Mismatch(f"{call}\n  the figure has {len(panels)} axes (grids {sorted(map(str, grids))}, images per "
                       f"axes {[p['images'] for p in panels]}); expected 10 axes in a 2 x 5 grid, one image each"
                       f"\nHint: {HINTS['plot_grid']}")
    blur_kernel = torch_gauss_kernel(5, 1.0) if kernel is None else kernel
    for p in sorted(panels, key=lambda p: (p["row"], p["col"])):
        n = iterations[p["col"]]
        result = torch_maxpool_iter(img, n) if p["row"] == 0 else torch_blur_iter(img, blur_kernel, n)
        expected = result[0, 0].double().numpy()
        shown = p["image"] / 255 if p["integer"] else p["image"]
        where = f"row {p['row']}, column {p['col']} ({'max pooling' if p['row'] == 0 else 'blur'}, {n} steps)"
        assert_close(shown, expected, f"{call}\n  the image shown at {where}",
                     atol=(0.6 / 255 if p["integer"] else F32[1]), rtol=F32[0])
        # The drawing options the docstring asks for: gray colour map, fixed range 0..1 (0..255 for 8-bit pixels).
        top = 255.0 if p["integer"] else 1.0
        clim = p.get("clim") or [None, None]
        drawn_right = (p.get("cmap") in ("gray", "grey") and clim[0] is not None and clim[1] is not None
                       and abs(clim[0]) <= 1e-9 and abs(clim[1] - top) <= 1e-9 * top)   # NaN: not right
        if not drawn_right:
            raise Mismatch(f"{call}\n  the image at {where} is drawn with colour map {p.get('cmap')!r} over the "
                           f"range vmin={clim[0]}, vmax={clim[1]}; expected cmap \"gray\", vmin=0, vmax={top:g}"
                           + (f"\nHint: {HINTS['plot_display']}" if _autoscaled(p["image"], clim) else ""))


def _autoscaled(image, clim) -> bool:
    """Verified: the range drawn is the panel's own min..max (imshow without vmin/vmax)."""
    if image is None or clim is None or None in clim:
        return False
    lo, hi = float(np.nanmin(image)), float(np.nanmax(image))
    return abs(clim[0] - lo) <= 1e-9 * max(1.0, abs(lo)) and abs(clim[1] - hi) <= 1e-9 * max(1.0, abs(hi)) and \
        (lo, hi) != (0.0, 1.0)
