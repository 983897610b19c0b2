"""Public grading tests for exercises/image_attention.py.

Both attention functions are compared with an oracle built from torch (F.unfold cuts out the 3x3
windows, torch.softmax weighs them) on inputs hypothesis draws, and with each other; the
vectorised one must also keep the no-loop rule, checked by reading its code. The normalisation
is compared with torch.linalg.norm, the parameter count with sympy and with the sizes of real
kernel arrays.
"""
from __future__ import annotations

import numpy as np
import pytest
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings

from .image_attention_support import (EXERCISE, FUNCTIONS, assert_close, attention_inputs, attention_variants,
                                      check_no_loops, describe, expect_array, expect_num_parameters, images,
                                      normalize_variants, oracle_attention, oracle_normalize, seeded_inputs)

pytestmark = pytest.mark.exercise(EXERCISE)

SEED_CASE = seeded_inputs(5, 5, 3, 5)        # iC = 3 input and oC = 5 output channels: 180 parameters
ONE_HOT = (np.eye(9).reshape(3, 3, 9)[:, :, :1] * 2.0, np.ones((1, 3, 3, 1)), np.arange(9.0).reshape(1, 3, 3))


# ---------------------------------------------------------------- Part A
@weight(2)
@settings(max_examples=20)
@given(image=images())
@example(image=np.arange(1.0, 13.0).reshape(2, 2, 3))
def test_normalize_channels(submission, image):
    """normalize_channels divides each channel by its Frobenius norm (compared with torch.linalg.norm)."""
    got = submission(EXERCISE).normalize_channels(image)
    expect_array(got, oracle_normalize(image), f"normalize_channels(image of shape {image.shape})\n  image = "
                 f"{image.tolist()}", lambda: normalize_variants(image))


# ---------------------------------------------------------------- Part B
@weight(2)
def test_answer_num_parameters(submission):
    """The number of trainable parameters, in C_in and C_out."""
    expect_num_parameters(submission(EXERCISE).answer_num_parameters())


# ---------------------------------------------------------------- Parts C and D
@weight(3)
@pytest.mark.parametrize("name", FUNCTIONS)
@settings(max_examples=15)
@given(inputs=attention_inputs())
@example(inputs=ONE_HOT)
@example(inputs=SEED_CASE)
def test_attention_matches_the_oracle(submission, name, inputs):
    """Y of shape (H-2, W-2, C_out), compared with F.unfold + softmax over the nine window positions."""
    x, k, v = inputs
    got = getattr(submission(EXERCISE), name)(x, k, v)
    expect_array(got, oracle_attention(x, k, v), describe(name, x, k, v) +
                 "\n  compared with an F.unfold + torch.softmax implementation", lambda: attention_variants(x, k, v))


@weight(2)
def test_attention_vectorized_has_no_python_loops(submission):
    """Rule: attention_vectorized (and every function of the file it uses) has no Python loop; credited only
    together with a right result."""
    x, k, v = SEED_CASE
    got = submission(EXERCISE).attention_vectorized(x, k, v)
    expect_array(got, oracle_attention(x, k, v), describe("attention_vectorized", x, k, v) +
                 "\n  (the rule is credited only when the function's output is right)",
                 lambda: attention_variants(x, k, v))
    check_no_loops(submission(EXERCISE))


@weight(1)
@settings(max_examples=10)
@given(inputs=attention_inputs(max_side=8))
def test_loops_and_vectorized_agree(submission, inputs):
    """attention_loops and attention_vectorized return the same array."""
    x, k, v = inputs
    sub = submission(EXERCISE)
    looped, vectorized = sub.attention_loops(x, k, v), sub.attention_vectorized(x, k, v)
    assert_close(vectorized, looped, describe("attention_vectorized", x, k, v) +
                 "\n  compared with attention_loops on the same input (expected = the loop version's result)")
