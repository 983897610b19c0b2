"""Public grading tests for exercises/conv2d.py.

Both layers are checked against F.conv2d (forward) and autograd through F.conv2d (gradients with
respect to the input, the weight and the bias), with the grader's weights copied into the
student's ``weight`` and ``bias`` parameters. The loop version is slow, so its settings are tiny.

Promises of the docstrings, each -> the tests that exercise it with non-default values:

- kernel_size, stride, padding: an int or an (H, W) pair each, mixed in one call; H != W; stride > 1; padding on
  every side
  -> test_conv2d_forward_matches_F_conv2d, test_faster_conv2d_forward_matches_F_conv2d (@example MIXED); hidden:
     test_conv2d_with_rectangular_kernels_strides_and_padding, test_faster_conv2d_on_wider_settings
- bias=False: no bias, layer.bias is None
  -> test_parameters_are_named_and_shaped_like_nn_conv2d; the forward and gradient tests draw bias
- weight and bias are nn.Parameters named and shaped like nn.Conv2d's
  -> test_parameters_are_named_and_shaped_like_nn_conv2d; every layer test (load_weights)
- initialised like nn.Conv2d (finite, weight not constant, scaled by 1/sqrt(fan_in))
  -> test_parameters_are_named_and_shaped_like_nn_conv2d
- batch N > 1, C_in > 1, C_out > 1, 28x28 inputs
  -> the forward tests; hidden: test_faster_conv2d_on_mnist_sized_batches
- gradients with respect to input, weight and bias through autograd
  -> test_conv2d_gradients_match_F_conv2d, test_faster_conv2d_gradients_match_F_conv2d; hidden: all three
- rules (no built-in convolution; no unfold in Conv2d)
  -> test_conv2d_rule_no_builtin_convolution_or_unfold, test_faster_conv2d_rule_no_builtin_convolution
- benchmark: the five keys, positive, each ratio slow / fast from its own timings
  -> test_benchmark_returns_timings_and_consistent_speedups
- benchmark: batch_size and repeats honoured, one warm-up run, the problem's layer, no autograd, one weight and bias
  for all three, the median
  -> test_benchmark_times_the_problem_setting_as_asked

Not promised, not graded: dtypes other than float32 (the grader's weights are float32).
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from torch import nn

from autograder.checks import Mismatch, hint_text

from .conv2d_support import (CONV_CALLS, CONV_NAMES, EXERCISE, HINTS, PATCH_CALLS, PATCH_NAMES, RULE_CONV2D,
                             RULE_FASTER, benchmark_probe, check_benchmark_protocol, check_benchmark_report,
                             check_layer, check_rule, construct, conv_settings, describe, init_problem, pair,
                             parameter_report, setting)

pytestmark = pytest.mark.exercise(EXERCISE)

# The problem's benchmark layer (1 -> 8 channels, 3x3) on a small image, and a padded, strided one.
MNIST_LAYER = setting(batch=2, in_channels=1, out_channels=8, kernel_size=3, height=8, width=8)
STRIDED = setting(batch=1, in_channels=2, out_channels=2, kernel_size=3, stride=2, padding=1, height=5, width=6,
                  seed=1)
# ints and pairs mixed in one call
MIXED = setting(batch=2, in_channels=2, out_channels=3, kernel_size=3, stride=(2, 1), padding=(0, 1), height=7,
                width=6, seed=2)


# ---------------------------------------------------------------- parameters
@weight(1)
@pytest.mark.parametrize("cls", ["Conv2d", "FasterConv2d"])
def test_parameters_are_named_and_shaped_like_nn_conv2d(submission, cls):
    """Parameters named, shaped and initialised like nn.Conv2d's"""
    sub = submission(EXERCISE)
    for s in (setting(1, 3, 4, (2, 3), stride=(1, 2), padding=(1, 0), bias=True),
              setting(1, 2, 5, 3, bias=False)):
        layer = construct(sub, cls, s)
        got = sub.run_probe(parameter_report, layer)
        ref = nn.Conv2d(s["in_channels"], s["out_channels"], s["kernel_size"], s["stride"], s["padding"],
                        bias=s["bias"], device="meta")
        expected = {name: list(p.shape) for name, p in ref.named_parameters()}
        what = describe(cls, s).split(" on x")[0]
        if got["params"] != expected:
            raise Mismatch(f"{what}: its parameters (name: shape)\n  expected: {expected}   (nn.Conv2d)\n"
                           f"  got:      {got['params']}")
        if not s["bias"] and not got["bias_is_none"]:
            raise Mismatch(f"{what}: with bias=False, layer.bias should be None (as in nn.Conv2d)")
        kh, kw = pair(s["kernel_size"])
        problem = init_problem(got["initial"], s["in_channels"] * kh * kw)
        if problem:
            raise Mismatch(f"{what}: {problem}" + hint_text("init_like_nn_conv2d", HINTS))


# ---------------------------------------------------------------- Conv2d (loops)
@weight(3)
@settings(max_examples=12)
@given(s=conv_settings())
@example(s=MNIST_LAYER)
@example(s=STRIDED)
@example(s=MIXED)
def test_conv2d_forward_matches_F_conv2d(submission, s):
    """Conv2d forward agrees with F.conv2d"""
    check_layer(submission(EXERCISE), "Conv2d", s, grads=False)


@weight(2)
@settings(max_examples=6)
@given(s=conv_settings())
@example(s=STRIDED)
def test_conv2d_gradients_match_F_conv2d(submission, s):
    """Conv2d gradients (input, weight, bias) agree with autograd through F.conv2d"""
    check_layer(submission(EXERCISE), "Conv2d", s, grads=True)


@weight(2)
def test_conv2d_rule_no_builtin_convolution_or_unfold(submission):
    """Rule: Conv2d uses no built-in convolution, unfold or as_strided"""
    check_rule(submission(EXERCISE), "Conv2d", STRIDED, CONV_CALLS + PATCH_CALLS, CONV_NAMES + PATCH_NAMES,
               RULE_CONV2D)


# ---------------------------------------------------------------- FasterConv2d (unfold + matmul)
@weight(3)
@settings(max_examples=20)
@given(s=conv_settings(max_batch=3, max_in=4, max_out=5, max_size=12, max_kernel=4, max_stride=3, max_padding=2))
@example(s=setting(batch=16, in_channels=1, out_channels=8, kernel_size=3, height=28, width=28))
@example(s=STRIDED)
@example(s=MIXED)
def test_faster_conv2d_forward_matches_F_conv2d(submission, s):
    """FasterConv2d forward agrees with F.conv2d"""
    check_layer(submission(EXERCISE), "FasterConv2d", s, grads=False)


@weight(2)
@settings(max_examples=12)
@given(s=conv_settings(max_batch=3, max_in=4, max_out=5, max_size=12, max_kernel=4, max_stride=3, max_padding=2))
@example(s=STRIDED)
def test_faster_conv2d_gradients_match_F_conv2d(submission, s):
    """FasterConv2d gradients (input, weight, bias) agree with autograd through F.conv2d"""
    check_layer(submission(EXERCISE), "FasterConv2d", s, grads=True)


@weight(2)
def test_faster_conv2d_rule_no_builtin_convolution(submission):
    """Rule: FasterConv2d uses no built-in convolution"""
    check_rule(submission(EXERCISE), "FasterConv2d", STRIDED, CONV_CALLS, CONV_NAMES, RULE_FASTER)


# ---------------------------------------------------------------- benchmark
@weight(1)
def test_benchmark_returns_timings_and_consistent_speedups(submission):
    """benchmark() returns the three timings and the two speed-ups computed from them"""
    report = submission(EXERCISE).benchmark(batch_size=2, repeats=1)
    check_benchmark_report(report, "benchmark(batch_size=2, repeats=1)")


@weight(1)
def test_benchmark_times_the_problem_setting_as_asked(submission):
    """benchmark() runs each layer once to warm up then `repeats` times, on the problem's layer and
    batch_size images, under no_grad, with one weight for all three, and keeps the median"""
    sub = submission(EXERCISE)
    what = "benchmark(batch_size=3, repeats=3)"
    got = sub.run_probe(benchmark_probe, sub._handle(), 3, 3)
    check_benchmark_report(got["report"], what)
    check_benchmark_protocol(got, 3, 3, what)
