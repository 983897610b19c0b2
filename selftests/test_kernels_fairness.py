"""Are the kernels exercise's property checks fair? (in-process; no grading subprocess)

The kernels exercise has many right answers, so it grades properties (tests/public/kernels_support.py).
Here the very same check functions run directly over

* many reasonable kernels (Sobel, Prewitt, Scharr, simple and central differences, Roberts crosses,
  either sign, either diagonal, several blurs, given as lists, tuples, numpy arrays, torch tensors,
  fractions), which must pass every check on a dense grid of test images and on the hypothesis
  strategies the graders draw from, with room to spare; and
* many wrong kernels (a vertical kernel given as horizontal, a blur that does not sum to 1, the identity
  as a blur, edge kernels that do not sum to 0, diagonal kernels that answer both diagonals, ...), which
  must fail at least one check, with the hint that names their misconception;
* malformed values (wrong shapes, strings, nan, ...), which must be refused with the shape hint.
"""
from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings

from autograder.checks import Mismatch
from tests.public import kernels_support as ks

SOBEL = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
PREWITT = [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]
SCHARR = [[-3, -10, -3], [0, 0, 0], [3, 10, 3]]
SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]


def t(k):
    return np.array(k, dtype=np.float64).T.tolist()


def neg(k):
    return (-np.array(k, dtype=np.float64)).tolist()


REASONABLE_BLURS = {
    "box": np.ones((3, 3)) / 9,
    "box_float32_tensor": torch.full((3, 3), 1 / 9, dtype=torch.float32),
    "box_fractions": [[Fraction(1, 9)] * 3 for _ in range(3)],
    "gaussian_121": np.outer([1, 2, 1], [1, 2, 1]) / 16,
    "gaussian_121_tuples": tuple(tuple(v / 16 for v in row) for row in [[1, 2, 1], [2, 4, 2], [1, 2, 1]]),
    "gaussian_sigma1": (lambda g: g / g.sum())(np.exp(-np.add.outer([1, 0, 1], [1, 0, 1]) / 2)),
    "plus": [[0, 1 / 8, 0], [1 / 8, 1 / 2, 1 / 8], [0, 1 / 8, 0]],
    "centre_heavy": np.array([[1, 1, 1], [1, 8, 1], [1, 1, 1]]) / 16,
    "centre_0.6": [[0, 0.1, 0], [0.1, 0.6, 0.1], [0, 0.1, 0]],
    "row_average": [[0, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0, 0, 0]],
    "box_float16_tensor": torch.full((3, 3), 1 / 9, dtype=torch.float16),
}

REASONABLE_HORIZONTAL = {
    "sobel": SOBEL, "sobel_negated": neg(SOBEL), "sobel_float32_tensor": torch.tensor(SOBEL, dtype=torch.float32),
    "sobel_int_array": np.array(SOBEL), "sobel_scaled": (np.array(SOBEL) / 8).tolist(),
    "prewitt": PREWITT, "prewitt_tuples": tuple(map(tuple, PREWITT)), "prewitt_negated": neg(PREWITT),
    "scharr": SCHARR, "scharr_negated": neg(SCHARR),
    "forward_difference": [[0, 0, 0], [0, -1, 0], [0, 1, 0]],
    "backward_difference": [[0, -1, 0], [0, 1, 0], [0, 0, 0]],
    "central_difference": [[0, -1, 0], [0, 0, 0], [0, 1, 0]],
    "row_difference": [[0, 0, 0], [-1, -1, -1], [1, 1, 1]],
    "central_difference_negated": [[0, 1, 0], [0, 0, 0], [0, -1, 0]],
}

SOBEL_DIAGONAL = [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]]          # "\" edges
SOBEL_OTHER_DIAGONAL = [[2, 1, 0], [1, 0, -1], [0, -1, -2]]    # "/" edges
REASONABLE_DIAGONAL = {
    "sobel_diagonal": SOBEL_DIAGONAL, "sobel_diagonal_negated": neg(SOBEL_DIAGONAL),
    "sobel_other_diagonal": SOBEL_OTHER_DIAGONAL, "sobel_other_diagonal_negated": neg(SOBEL_OTHER_DIAGONAL),
    "sobel_diagonal_tensor": torch.tensor(SOBEL_DIAGONAL, dtype=torch.float32),
    "prewitt_diagonal": [[0, 1, 1], [-1, 0, 1], [-1, -1, 0]],
    "prewitt_other_diagonal": [[1, 1, 0], [1, 0, -1], [0, -1, -1]],
    "scharr_diagonal": [[0, 3, 10], [-3, 0, 3], [-10, -3, 0]],
    "sobel_x_plus_sobel_y": (np.array(SOBEL_X) + np.array(SOBEL)).tolist(),
    "sobel_x_minus_sobel_y": (np.array(SOBEL_X) - np.array(SOBEL)).tolist(),
    "simple_diagonal_difference": [[0, 0, 0], [0, -1, 0], [0, 0, 1]],
    "simple_other_diagonal_difference": [[0, 0, 0], [0, 0, -1], [0, 1, 0]],
    "roberts_top_left": [[1, 0, 0], [0, -1, 0], [0, 0, 0]],
    "roberts_other": [[0, 1, 0], [-1, 0, 0], [0, 0, 0]],
    "central_diagonal_difference": [[0, 0, 1], [0, 0, 0], [-1, 0, 0]],
    "corner_difference": [[-1, 0, 0], [0, 0, 0], [0, 0, 1]],
}

# name -> (kernel, hint id the failure must carry)
WRONG_BLURS = {
    "unnormalised_gaussian": ([[1, 2, 1], [2, 4, 2], [1, 2, 1]], "blur_sum"),
    "sums_to_0.9": ([[0.1] * 3] * 3, "blur_sum"),
    "rounded_to_two_decimals": ([[0.11] * 3] * 3, "blur_sum"),
    "zero": ([[0] * 3] * 3, "blur_sum"),
    "identity": ([[0, 0, 0], [0, 1, 0], [0, 0, 0]], "blur_not_smoothing"),
    "sharpen": ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], "blur_not_smoothing"),
    "shift": ([[0, 0, 0], [0, 0, 1], [0, 0, 0]], "blur_not_smoothing"),
}
WRONG_HORIZONTAL = {
    "sobel_x_as_horizontal": (SOBEL_X, "horizontal_vertical_mixed"),
    "prewitt_x_as_horizontal": (t(PREWITT), "horizontal_vertical_mixed"),
    "column_difference_as_horizontal": ([[0, 0, 0], [0, -1, 1], [0, 0, 0]], "horizontal_vertical_mixed"),
    "top_row_only_negative": ([[-1, -1, -1], [1, 1, 1], [1, 1, 1]], "edge_sum"),
    "sobel_plus_constant": ((np.array(SOBEL) + 0.1).tolist(), "edge_sum"),
    "no_minus_sign": ([[1, 2, 1], [0, 0, 0], [1, 2, 1]], "edge_sum"),
    "zero": ([[0] * 3] * 3, "edge_no_response"),
    "laplacian": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], "edge_not_directional"),
    "tilted": ([[-1, -2, 0], [0, 0, 0], [0, 2, 1]], "edge_tilted"),
    "diagonal_as_horizontal": (SOBEL_DIAGONAL, "edge_not_directional"),
}
WRONG_DIAGONAL = {
    "x_shape": ([[1, 0, -1], [0, 0, 0], [-1, 0, 1]], "diagonal_symmetric"),
    "sobel_y_as_diagonal": (SOBEL, "diagonal_symmetric"),
    "sobel_x_as_diagonal": (SOBEL_X, "diagonal_symmetric"),
    "line_detector": ([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]], "diagonal_symmetric"),
    "tilted_towards_vertical": ([[0, 0, 1], [-1, 0, 1], [-1, 0, 0]], "diagonal_weak"),
    "not_zero_sum": ([[1, 1, 2], [-1, 1, 1], [-2, -1, 1]], "edge_sum"),
    "diagonal_ones": ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], "edge_sum"),
    "zero": ([[0] * 3] * 3, "edge_no_response"),
}

MALFORMED = {
    "2x2": [[1, -1], [1, -1]],
    "flat_9": list(range(9)),
    "conv_weight_shape": np.zeros((1, 1, 3, 3)),
    "ragged": [[1, 2, 3], [4, 5], [6, 7, 8]],
    "string": "[[1,2,1],[2,4,2],[1,2,1]]",
    "strings_inside": [["1", "2", "1"]] * 3,
    "nan": [[float("nan")] * 3] * 3,
    "bools": [[True, False, True]] * 3,
    "complex": np.ones((3, 3), dtype=complex),
    "none": None,
    "tensor_4d": torch.zeros(1, 1, 3, 3),
}

# ---------------------------------------------------------------- a dense grid over the strategies' ranges
SIZES = [(12, 12), (13, 20), (20, 15)]
LEVELS = [(-2.0, 0.25), (0.5, -1.0), (2.0, 4.0), (0.0, -4.0)]      # (low, contrast)
SHARP = [dict(rows=r, cols=c, offset=float(o), low=lo, contrast=ct, width=0.0)
         for (r, c), o, (lo, ct) in itertools.product(SIZES, range(-2, 3), LEVELS)]
SOFT = [dict(rows=r, cols=c, offset=float(o), low=lo, contrast=ct, width=w)
        for (r, c), o, (lo, ct), w in itertools.product(SIZES, np.linspace(-2, 2, 7), LEVELS, (4.0, 5.5, 8.0))]
CONSTANTS = [(r, c, v) for (r, c), v in itertools.product([(3, 3), (5, 12), (12, 7)], (-10.0, -0.1, 0.1, 1.0, 7.3))]
NOISE = [dict(rows=r, cols=c, seed=seed, kind=kind, scale=sc, mean=m)
         for n, ((r, c), kind, sc, m) in enumerate(itertools.product(
             [(12, 12), (12, 24), (24, 24)], ["gaussian", "uniform", "salt_and_pepper"], (0.1, 3.0), (-2.0, 2.0)))
         for seed in range(7 * n, 7 * n + 7)]


def blur_checks(kernel):
    for r, c, v in CONSTANTS:
        yield lambda r=r, c=c, v=v: ks.check_blur_constant(kernel, "blur_kernel()", r, c, v)
    for s in NOISE:
        yield lambda s=s: ks.check_blur_noise(kernel, "blur_kernel()", **s)


def horizontal_checks(kernel):
    for r, c, v in CONSTANTS:
        yield lambda r=r, c=c, v=v: ks.check_edge_flat(kernel, "horizontal_edge_kernel()", r, c, v)
    for s in SHARP + SOFT:
        yield lambda s=s: ks.check_horizontal_perpendicular(kernel, "horizontal_edge_kernel()", s)
    for s in SOFT:
        yield lambda s=s: ks.check_horizontal_oblique(kernel, "horizontal_edge_kernel()", s)


def diagonal_checks(kernel):
    for r, c, v in CONSTANTS:
        yield lambda r=r, c=c, v=v: ks.check_edge_flat(kernel, "diagonal_edge_kernel()", r, c, v)
    for s in SHARP + SOFT:
        yield lambda s=s: ks.check_diagonal_perpendicular(kernel, "diagonal_edge_kernel()", s)
    for s in SOFT:
        yield lambda s=s: ks.check_diagonal_oblique(kernel, "diagonal_edge_kernel()", s)


CHECKS = {"blur": blur_checks, "horizontal": horizontal_checks, "diagonal": diagonal_checks}
REASONABLE = ([("blur", n, k) for n, k in REASONABLE_BLURS.items()]
              + [("horizontal", n, k) for n, k in REASONABLE_HORIZONTAL.items()]
              + [("diagonal", n, k) for n, k in REASONABLE_DIAGONAL.items()])
WRONG = ([("blur", n, *v) for n, v in WRONG_BLURS.items()]
         + [("horizontal", n, *v) for n, v in WRONG_HORIZONTAL.items()]
         + [("diagonal", n, *v) for n, v in WRONG_DIAGONAL.items()])


@pytest.mark.parametrize("role,name,kernel", REASONABLE, ids=[f"{r}/{n}" for r, n, _ in REASONABLE])
def test_reasonable_kernel_passes_every_check_on_the_grid(role, name, kernel):
    for check in CHECKS[role](kernel):
        check()  # a Mismatch here means the grading is unfair to this kernel


@pytest.mark.parametrize("role,name,kernel,hint", WRONG, ids=[f"{r}/{n}" for r, n, _, _ in WRONG])
def test_wrong_kernel_fails_with_its_hint(role, name, kernel, hint):
    messages = []
    for check in CHECKS[role](kernel):
        try:
            check()
        except Mismatch as exc:
            messages.append(str(exc))
    assert messages, f"{name} passed every {role} check"
    assert any(ks.HINTS[hint] in m for m in messages), f"{name}: no failure carries hint {hint}:\n{messages[0]}"


@pytest.mark.parametrize("name,value", MALFORMED.items(), ids=list(MALFORMED))
@pytest.mark.parametrize("check", [lambda k: ks.check_blur_constant(k, "blur_kernel()", 5, 5, 1.0),
                                   lambda k: ks.check_horizontal_perpendicular(k, "h()", SHARP[0]),
                                   lambda k: ks.check_diagonal_oblique(k, "d()", SOFT[0])],
                         ids=["blur", "horizontal", "diagonal"])
def test_malformed_kernel_is_refused_with_a_clear_message(name, value, check):
    with pytest.raises(Mismatch) as info:
        check(value)
    assert ks.HINTS["kernel_shape"] in str(info.value)
    assert "got" in str(info.value)


# ---------------------------------------------------------------- margins: fair with room to spare
def test_reasonable_edge_kernels_clear_the_thresholds_with_margin():
    """Worst ratios over the grid: each reasonable kernel beats each threshold by >= 15%."""
    for name, kernel in REASONABLE_HORIZONTAL.items():
        k, _ = ks.as_kernel(kernel, name)
        for s in SOFT:
            own = ks.response(k, "horizontal", s)
            assert own >= 1.15 * ks.OBLIQUE * max(ks.response(k, d, s) for d in ("diagonal \\", "diagonal /")), name
            assert own >= 1.15 * ks.PERPENDICULAR * ks.response(k, "vertical", s), name
            assert own >= 1.15 * ks.MIN_RESPONSE * np.abs(k).sum(), name
    for name, kernel in REASONABLE_DIAGONAL.items():
        k, _ = ks.as_kernel(kernel, name)
        for s in SOFT:
            a, b = ks.response(k, "diagonal \\", s), ks.response(k, "diagonal /", s)
            own, other = max(a, b), min(a, b)
            assert own >= 1.15 * ks.PERPENDICULAR * other, name
            assert own >= 1.15 * ks.OBLIQUE * max(ks.response(k, d, s) for d in ("horizontal", "vertical")), name
            assert own >= 1.15 * ks.MIN_RESPONSE * np.abs(k).sum(), name


def test_reasonable_blurs_clear_the_noise_threshold_with_margin():
    worst = {}
    for name, kernel in REASONABLE_BLURS.items():
        k, _ = ks.as_kernel(kernel, name)
        for s in NOISE:
            image = ks.noise_image(**s)
            ratio = ks.correlate(image, k).var() / image[1:-1, 1:-1].var()
            worst[name] = max(worst.get(name, 0.0), ratio)
    assert max(worst.values()) <= 0.85 * ks.NOISE_RATIO, worst


# ---------------------------------------------------------------- the graders' own strategies
FEW = settings(max_examples=40, derandomize=True, deadline=None, database=None)


@FEW
@given(s=ks.edge_settings())
def test_reasonable_edge_kernels_pass_on_drawn_edges(s):
    for kernel in REASONABLE_HORIZONTAL.values():
        ks.check_horizontal_perpendicular(kernel, "horizontal_edge_kernel()", s)
        if s["width"]:
            ks.check_horizontal_oblique(kernel, "horizontal_edge_kernel()", s)
    for kernel in REASONABLE_DIAGONAL.values():
        ks.check_diagonal_perpendicular(kernel, "diagonal_edge_kernel()", s)
        if s["width"]:
            ks.check_diagonal_oblique(kernel, "diagonal_edge_kernel()", s)


@FEW
@given(s=ks.noise_settings(min_size=12, max_size=64))
def test_reasonable_blurs_pass_on_drawn_noise(s):
    for kernel in REASONABLE_BLURS.values():
        ks.check_blur_noise(kernel, "blur_kernel()", **s)


def test_the_threshold_for_neighbouring_directions_is_within_reach():
    """No gradient-like kernel beats 1/cos(45 deg) on softened edges: OBLIQUE must stay below it."""
    assert ks.OBLIQUE < 2 ** 0.5 / 1.15
    k, _ = ks.as_kernel(SOBEL, "sobel")
    ratio = ks.response(k, "horizontal", SOFT[0]) / ks.response(k, "diagonal \\", SOFT[0])
    assert ratio == pytest.approx(2 ** 0.5)
