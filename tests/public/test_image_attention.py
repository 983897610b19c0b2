"""Public grading tests for exercises/image_attention.py.

Both attention functions are compared with an oracle built from torch (F.unfold cuts out the 3x3
windows, torch.softmax weighs them) on inputs hypothesis draws, and with each other; the
vectorised one must also keep the no-loop rule, checked by reading its code. The normalisation
is compared with torch.linalg.norm, the parameter count with sympy and with the sizes of real
kernel arrays.

Promises of the exercise text and the tests that exercise each with non-default values:

| promise | tests |
| --- | --- |
| normalize_channels: each channel over its own Frobenius norm; H, W >= 1, C = 1..5 | test_normalize_channels; hidden: test_normalize_channels_on_larger_images |
| parameter count in C_in, C_out (sympy), = entries of k and v | test_answer_num_parameters |
| Y: softmax over the nine (a, b) of x[i+a, j+b] . k[o, a, b], weighing v[o, a, b]; shape (H-2, W-2, C_out); H != W, H or W = 3, C_in and C_out 1..6; kernels neither flipped nor transposed | test_attention_matches_the_oracle (both functions); hidden: test_attention_loops_on_larger_images, test_attention_vectorized_on_larger_images |
| any float64 input: scores of +-1000s, far apart between windows and output channels, stay finite | test_attention_with_large_scores (both functions) |
| float64 results | every value test (dtype checked once the values agree) |
| image, x, k, v left unchanged | test_arguments_are_left_unchanged |
| attention_vectorized: no Python loop, also in the functions it calls | test_attention_vectorized_has_no_python_loops |
| both functions agree | test_loops_and_vectorized_agree |

A hint names a cause only when that misconception, applied to the oracle, reproduces the output on the
failing input and on every probe input where it shows (``diagnose`` in the support module).
"""
from __future__ import annotations

import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings

from hypothesis import strategies as st

from .image_attention_support import (EXERCISE, FUNCTIONS, assert_close, attention_inputs, check_arguments_unchanged,
                                      check_no_loops, describe, expect_attention, expect_normalized,
                                      expect_num_parameters, images, seeded_inputs)

pytestmark = pytest.mark.exercise(EXERCISE)

SEED_CASE = seeded_inputs(5, 5, 3, 5)        # iC = 3 input and oC = 5 output channels: 180 parameters
ONE_HOT = (np.eye(9).reshape(3, 3, 9)[:, :, :1] * 2.0, np.ones((1, 3, 3, 1)), np.arange(9.0).reshape(1, 3, 3))
# Scores of +-800: exp overflows in the first windows of output channel 0, and the last window's scores (and
# all of output channel 1's) lie 800 or more below the largest score of the image. And one window whose nine
# scores are all -1000 (exp underflows to 0).
LARGE_SCORES = (np.array([800.0, 800.0, 0.0, -800.0, -800.0])[None, :, None].repeat(3, axis=0),
                np.stack([np.ones((3, 3, 1)), -np.ones((3, 3, 1))]), np.arange(18.0).reshape(2, 3, 3) % 7)
VERY_NEGATIVE = (np.full((3, 3, 1), -1000.0), np.ones((1, 3, 3, 1)), np.arange(9.0).reshape(1, 3, 3))


@st.composite
def large_score_inputs(draw):
    """attention_inputs with x scaled by +-300: scores up to a few thousand, of either sign."""
    x, k, v = draw(attention_inputs(max_side=5))
    return x * draw(st.sampled_from([300.0, -300.0]), label="scale of x"), k, v


# ---------------------------------------------------------------- Part A
@weight(2)
@settings(max_examples=20)
@given(image=images())
@example(image=np.arange(1.0, 13.0).reshape(2, 2, 3))
def test_normalize_channels(submission, image):
    """normalize_channels divides each channel by its Frobenius norm (compared with torch.linalg.norm)."""
    sub = submission(EXERCISE)
    got = sub.normalize_channels(image)
    expect_normalized(got, image, f"normalize_channels(image of shape {image.shape})\n  image = {image.tolist()}",
                      rerun=sub.normalize_channels)


# ---------------------------------------------------------------- Part B
@weight(2)
def test_answer_num_parameters(submission):
    """The number of trainable parameters, in C_in and C_out."""
    expect_num_parameters(submission(EXERCISE).answer_num_parameters())


# ---------------------------------------------------------------- Parts C and D
@weight(2)
@pytest.mark.parametrize("name", FUNCTIONS)
@settings(max_examples=15)
@given(inputs=attention_inputs())
@example(inputs=ONE_HOT)
@example(inputs=SEED_CASE)
def test_attention_matches_the_oracle(submission, name, inputs):
    """Y of shape (H-2, W-2, C_out), compared with F.unfold + softmax over the nine window positions."""
    x, k, v = inputs
    func = getattr(submission(EXERCISE), name)
    got = func(x, k, v)
    expect_attention(got, inputs, describe(name, x, k, v) + "\n  compared with an F.unfold + torch.softmax "
                     "implementation (and float64)", rerun=func)


@weight(1)
@pytest.mark.parametrize("name", FUNCTIONS)
@settings(max_examples=5)
@given(inputs=large_score_inputs())
@example(inputs=LARGE_SCORES)
@example(inputs=VERY_NEGATIVE)
def test_attention_with_large_scores(submission, name, inputs):
    """Scores in the hundreds or thousands, of either sign: the softmax stays finite (compared with the oracle)."""
    x, k, v = inputs
    func = getattr(submission(EXERCISE), name)
    got = func(x, k, v)
    expect_attention(got, inputs, describe(name, x, k, v) + "\n  compared with an F.unfold + torch.softmax "
                     "implementation", rerun=func)


@weight(1)
def test_attention_vectorized_has_no_python_loops(submission):
    """Rule: attention_vectorized (and every function of the file it uses) has no Python loop; credited only
    together with a right result."""
    x, k, v = SEED_CASE
    sub = submission(EXERCISE)
    got = sub.attention_vectorized(x, k, v)
    expect_attention(got, SEED_CASE, describe("attention_vectorized", x, k, v) +
                     "\n  (the rule is credited only when the function's output is right)",
                     rerun=sub.attention_vectorized)
    check_no_loops(sub)


@weight(1)
def test_arguments_are_left_unchanged(submission):
    """normalize_channels, attention_loops and attention_vectorized leave the arrays they are given unchanged."""
    sub = submission(EXERCISE)
    x, k, v = SEED_CASE
    check_arguments_unchanged(sub, "normalize_channels", {"image": np.abs(x) + 0.5})
    for name in FUNCTIONS:
        check_arguments_unchanged(sub, name, {"x": x, "k": k, "v": v})


@weight(1)
@settings(max_examples=10)
@given(inputs=attention_inputs(max_side=8))
def test_loops_and_vectorized_agree(submission, inputs):
    """attention_loops and attention_vectorized return the same array."""
    x, k, v = inputs
    sub = submission(EXERCISE)
    looped, vectorized = sub.attention_loops(x, k, v), sub.attention_vectorized(x, k, v)
    assert_close(vectorized, looped, describe("attention_vectorized", x, k, v) +
                 "\n  compared with attention_loops on the same input (both are yours)",
                 labels=("attention_vectorized", "attention_loops"))
