"""Public grading tests for exercises/conv_arithmetic.py.

Part A is checked against real torch.nn modules (built on the meta device: shapes
only, no arithmetic) on settings hypothesis draws; Part B against hashed answer keys.

Promises of the docstrings, each -> the tests that exercise it with non-default values:

- conv_output_length: stride, padding at both ends, dilation, partial windows dropped
  -> test_output_length_matches_nn_conv1d; hidden: test_conv2d_output_shape_on_wide_settings
- conv_output_length: ValueError when no window fits
  -> test_output_length_rejects_a_window_that_does_not_fit
- conv1d_output_shape: (C_out, L_out), every argument
  -> test_conv1d_output_shape_matches_nn_conv1d
- conv2d_output_shape: each setting an int or an (H, W) pair, mixed in one call; H != W
  -> test_conv2d_output_shape_matches_nn_conv2d; hidden: test_conv2d_output_shape_on_wide_settings
- conv_param_count: groups, bias=False, kernel an int or a 1-, 2- or 3-tuple
  -> test_param_count_matches_torch_modules; hidden: test_param_count_of_grouped_3d_convolutions
- maxpool2d_output_shape: stride None, int or pair; kernel and padding int or pair
  -> test_maxpool2d_output_shape_matches_nn_maxpool2d
- conv_pool_relu_stack: n_modules, stride, padding, pool_size and pool_stride (given or default), rectangular input,
  channels chained
  -> test_stack_matches_nn_sequential; hidden: test_stack_on_deeper_networks
- fc_param_count: 1 to 3 axes, bias=False
  -> test_fc_param_count_matches_nn_linear
- results are ints (numpy integers accepted), shapes channels first
  -> every Part A test (expect_count, expect_shape)
- Part B by-hand answers
  -> test_by_hand_answer[part]
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given
from hypothesis import strategies as st

from autograder.checks import Mismatch, as_int_tuple, call_repr, check_keyed_answer, load_keys
from autograder.diagnose import confirmed
from autograder.errors import StudentCodeError

from .conv_arithmetic_support import (EXERCISE, HINTS, axis_settings, diagnose_length, diagnose_lengths,
                                      diagnose_params, diagnose_shape, diagnose_stack_params, diagnose_stack_shape,
                                      expect_count, expect_shape, torch_conv_shape,
                                      torch_fc_count, torch_param_count, torch_pool_shape, torch_stack,
                                      validate_count, validate_shape)

pytestmark = pytest.mark.exercise(EXERCISE)

pair = st.one_of(st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4)))


# ---------------------------------------------------------------- Part A
@weight(3)
@given(s=axis_settings())
@example(s=dict(length=5, kernel_size=2, stride=2, padding=0, dilation=1))
def test_output_length_matches_nn_conv1d(submission, s):
    """conv_output_length agrees with nn.Conv1d."""
    got = submission(EXERCISE).conv_output_length(**s)
    (expected,) = torch_conv_shape((1, s["length"]), 1, s["kernel_size"], s["stride"], s["padding"], s["dilation"])[1:]
    hint = diagnose_length(submission(EXERCISE).conv_output_length, s) if got != expected else None
    expect_count(got, expected, call_repr("conv_output_length", **s), "nn.Conv1d", hint)


@weight(1)
@given(kernel=st.integers(2, 9), padding=st.integers(0, 2), dilation=st.integers(1, 2), data=st.data())
def test_output_length_rejects_a_window_that_does_not_fit(submission, kernel, padding, dilation, data):
    """conv_output_length raises ValueError when no window fits."""
    span = dilation * (kernel - 1) + 1
    if span - 2 * padding <= 1:
        return
    length = data.draw(st.integers(1, span - 2 * padding - 1), label="length")
    what = call_repr("conv_output_length", length, kernel, padding=padding, dilation=dilation)
    try:
        got = submission(EXERCISE).conv_output_length(length, kernel, padding=padding, dilation=dilation)
    except StudentCodeError as exc:
        if exc.type_name != "ValueError":
            raise Mismatch(f"{what}\n  expected: ValueError (no window fits)\n  got:      {exc.type_name}") from None
        return
    raise Mismatch(f"{what}\n  expected: ValueError (no window fits; nn.Conv1d refuses this input)\n"
                   f"  got:      {got!r}")


@weight(2)
@given(s=axis_settings(), in_channels=st.integers(1, 8), out_channels=st.integers(1, 16))
def test_conv1d_output_shape_matches_nn_conv1d(submission, s, in_channels, out_channels):
    """conv1d_output_shape agrees with nn.Conv1d."""
    args = dict(input_shape=(in_channels, s["length"]), out_channels=out_channels, kernel_size=s["kernel_size"],
                stride=s["stride"], padding=s["padding"], dilation=s["dilation"])
    got = submission(EXERCISE).conv1d_output_shape(**args)
    expected = torch_conv_shape(**args)
    hint = None
    if as_int_tuple(got) != expected:
        hint = diagnose_lengths(got, expected, [s]) or diagnose_shape(submission(EXERCISE).conv1d_output_shape, args,
                                                                      expected)
    expect_shape(got, expected, call_repr("conv1d_output_shape", **args), "nn.Conv1d", hint)


@st.composite
def conv2d_settings(draw):
    h, w = draw(axis_settings(max_kernel=5), label="along H"), draw(axis_settings(max_kernel=5), label="along W")
    square = draw(st.booleans(), label="same setting along H and W")
    if square:
        w = dict(h, length=w["length"] if w["length"] >= h["length"] else h["length"])
    per_axis = {}
    for name in ("kernel_size", "stride", "padding", "dilation"):
        # Each setting is an int or a pair on its own: a call may mix them (kernel_size=3, stride=(2, 1)).
        as_int = h[name] == w[name] and draw(st.booleans(), label=f"{name} as one int")
        per_axis[name] = h[name] if as_int else (h[name], w[name])
    return h, w, dict(input_shape=(draw(st.integers(1, 4), label="in channels"), h["length"], w["length"]),
                      out_channels=draw(st.integers(1, 16), label="out channels"), **per_axis)


@weight(3)
@given(case=conv2d_settings())
@example(case=(dict(length=28, kernel_size=4, stride=2, padding=0, dilation=1),
               dict(length=28, kernel_size=4, stride=2, padding=0, dilation=1),
               dict(input_shape=(3, 28, 28), out_channels=8, kernel_size=4, stride=2, padding=0, dilation=1)))
def test_conv2d_output_shape_matches_nn_conv2d(submission, case):
    """conv2d_output_shape agrees with nn.Conv2d (ints or (H, W) pairs)."""
    h, w, args = case
    got = submission(EXERCISE).conv2d_output_shape(**args)
    expected = torch_conv_shape(**args)
    hint = None
    if as_int_tuple(got) != expected:
        hint = diagnose_lengths(got, expected, [h, w]) or diagnose_shape(submission(EXERCISE).conv2d_output_shape,
                                                                         args, expected)
    expect_shape(got, expected, call_repr("conv2d_output_shape", **args), "nn.Conv2d", hint)


@st.composite
def param_settings(draw):
    groups = draw(st.integers(1, 4), label="groups")
    in_channels = groups * draw(st.integers(1, 4), label="in channels per group")
    out_channels = groups * draw(st.integers(1, 4), label="out channels per group")
    dims = draw(st.integers(1, 3), label="spatial dims")
    sizes = st.integers(1, 5)
    kernel = tuple(draw(sizes) for _ in range(dims))
    if dims == 1 and draw(st.booleans(), label="1D kernel as an int"):
        kernel = kernel[0]   # a 1D kernel is an int or a tuple of one int
    return dict(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel, groups=groups,
                bias=draw(st.booleans(), label="bias"))


@weight(3)
@given(args=param_settings())
@example(args=dict(in_channels=3, out_channels=8, kernel_size=(4, 4), groups=1, bias=True))
@example(args=dict(in_channels=6, out_channels=4, kernel_size=(5,), groups=2, bias=False))
def test_param_count_matches_torch_modules(submission, args):
    """conv_param_count agrees with nn.Conv1d/2d/3d (groups, bias)."""
    got = submission(EXERCISE).conv_param_count(**args)
    expected = torch_param_count(**args)
    hint = diagnose_params(submission(EXERCISE).conv_param_count, args) if got != expected else None
    expect_count(got, expected, call_repr("conv_param_count", **args), "numel of the module's parameters", hint)


@weight(2)
@given(channels=st.integers(1, 4), kernel=pair, stride=st.one_of(st.none(), pair), data=st.data())
def test_maxpool2d_output_shape_matches_nn_maxpool2d(submission, channels, kernel, stride, data):
    """maxpool2d_output_shape agrees with nn.MaxPool2d (stride None means stride = kernel)."""
    k = (kernel, kernel) if isinstance(kernel, int) else kernel
    # nn.MaxPool2d allows at most half the kernel of padding along each axis; an int or an (H, W) pair.
    padding = data.draw(st.one_of(st.integers(0, min(k) // 2),
                                  st.tuples(st.integers(0, k[0] // 2), st.integers(0, k[1] // 2))), label="padding")
    size = (data.draw(st.integers(k[0], k[0] + 30), label="H"), data.draw(st.integers(k[1], k[1] + 30), label="W"))
    args = dict(input_shape=(channels, *size), kernel_size=kernel, stride=stride, padding=padding)
    got = submission(EXERCISE).maxpool2d_output_shape(**args)
    expected = torch_pool_shape(**args)
    hint = None
    if stride is None and as_int_tuple(got) != expected:
        probes = [dict(input_shape=(2, 9, 11), kernel_size=(2, 3), stride=None, padding=1),
                  dict(input_shape=(1, 16, 7), kernel_size=3, stride=None, padding=0)]
        found = confirmed(lambda a: submission(EXERCISE).maxpool2d_output_shape(**a),
                          lambda a: torch_pool_shape(**a),
                          {"pool_default_stride": lambda a: torch_pool_shape(**dict(a, stride=1))}, args, probes,
                          same=lambda a, b: as_int_tuple(a) == as_int_tuple(b) and as_int_tuple(a) is not None)
        hint = found[0] if found else None
    expect_shape(got, expected, call_repr("maxpool2d_output_shape", **args), "nn.MaxPool2d", hint)


@st.composite
def stack_settings(draw):
    n = draw(st.integers(1, 3), label="modules")
    kernel = draw(st.integers(1, 4), label="kernel")
    stride = draw(st.integers(1, 2), label="stride")
    padding = draw(st.integers(0, 2), label="padding")
    pool = {}
    if draw(st.booleans(), label="pool_size and pool_stride given"):
        pool = dict(pool_size=draw(st.integers(1, 3), label="pool_size"),
                    pool_stride=draw(st.integers(1, 3), label="pool_stride"))
    pool_size, pool_stride = pool.get("pool_size", 2), pool.get("pool_stride", 2)
    size = 1
    for _ in range(n):  # smallest input that survives n modules, from the last one back
        size = (size - 1) * pool_stride + pool_size                      # before the pooling
        size = max(1, (size - 1) * stride + kernel - 2 * padding)        # before the conv
    side = max(size, kernel, 2)
    height = draw(st.integers(side, side + 40), label="input height")
    width = height if draw(st.booleans(), label="square input") else draw(st.integers(side, side + 40),
                                                                          label="input width")
    return dict(input_shape=(draw(st.integers(1, 4), label="in channels"), height, width), n_modules=n,
                out_channels=draw(st.integers(1, 8), label="filters"), kernel_size=kernel, stride=stride,
                padding=padding, **pool)


@weight(3)
@given(args=stack_settings())
@example(args=dict(input_shape=(3, 128, 128), n_modules=3, out_channels=32, kernel_size=2, stride=2, padding=0))
@example(args=dict(input_shape=(2, 30, 19), n_modules=2, out_channels=4, kernel_size=3, stride=1, padding=1,
                   pool_size=3, pool_stride=1))
def test_stack_matches_nn_sequential(submission, args):
    """conv_pool_relu_stack agrees with an nn.Sequential of Conv2d, MaxPool2d, ReLU."""
    try:
        expected_shape, expected_params = torch_stack(**args)
    except RuntimeError:
        return  # the setting shrinks the image to nothing; not a valid question
    stack = submission(EXERCISE).conv_pool_relu_stack
    got = stack(**args)
    what = call_repr("conv_pool_relu_stack", **args)
    if not (isinstance(got, (list, tuple)) and len(got) == 2):
        raise Mismatch(f"{what}\n  expected: a pair (shape, parameter count)\n  got:      {got!r}")
    expect_shape(got[0], expected_shape, what + " -> shape", "nn.Sequential",
                 diagnose_stack_shape(stack, args, got[0]) if as_int_tuple(got[0]) != expected_shape else None)
    expect_count(got[1], expected_params, what + " -> parameter count", "nn.Sequential",
                 diagnose_stack_params(stack, args) if got[1] != expected_params else None)


@weight(2)
@given(shape=st.lists(st.integers(1, 12), min_size=1, max_size=3).map(tuple), n_outputs=st.integers(1, 12),
       bias=st.booleans())
def test_fc_param_count_matches_nn_linear(submission, shape, n_outputs, bias):
    """fc_param_count agrees with nn.Linear on the flattened input."""
    got = submission(EXERCISE).fc_param_count(shape, n_outputs, bias)
    expected = torch_fc_count(shape, n_outputs, bias)
    hint = None
    if got != expected:
        def channels_only(a):
            return a[0][0] * a[1] + (a[1] if a[2] else 0)
        found = confirmed(lambda a: submission(EXERCISE).fc_param_count(*a), lambda a: torch_fc_count(*a),
                          {"fc_flatten": channels_only}, (shape, n_outputs, bias),
                          [((3, 4, 5), 7, True), ((2, 6), 3, False)])
        hint = found[0] if found else None
    expect_count(got, expected, call_repr("fc_param_count", shape, n_outputs, bias), "nn.Linear", hint)


# ---------------------------------------------------------------- Part B (by hand)
KEYS = load_keys(EXERCISE, __import__("pathlib").Path(__file__).resolve().parents[2])
PARTS = sorted(KEYS["parts"])


def _validator(part: str):
    if part.endswith("_shape"):
        return validate_shape(2 if "conv1d" in part else 3)
    if part.endswith("_params"):
        return validate_count
    return lambda v: None if isinstance(v, str) else 'the answer is one of the strings "iv", "v", "vi".'


@weight(1)
@pytest.mark.parametrize("part", PARTS)
def test_by_hand_answer(submission, part):
    """By-hand answer"""
    got = getattr(submission(EXERCISE), part)()
    check_keyed_answer(got, KEYS, EXERCISE, part, f"{part}()", hints=HINTS, validate=_validator(part))
