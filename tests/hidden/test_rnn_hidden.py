"""Hidden tests for rnn: longer sequences and wider layers, the reference solution as the oracle.

Feedback names the setting and the values returned, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import example, given, settings

from ..public.rnn_support import (EXERCISE, QUANTITIES, ARG_ORDER, bptt_what, call_bptt, check_bptt, check_layer,
                                  check_shape_answer, make_arrays, reference_layer, rerun_bptt, rnn_settings,
                                  setting)

pytestmark = pytest.mark.exercise(EXERCISE)

WIDE = dict(max_batch=4, max_steps=9, max_input=6, max_hidden=7, max_output=5)


@weight(2)
@visibility("after_due_date")
@settings(max_examples=8)
@given(s=rnn_settings(**WIDE))
@example(s=setting(batch=3, steps=12, input_size=5, hidden_size=6, output_size=5, h0=True, seed=11))
def test_layer_on_longer_sequences(submission, reference, s):
    """RNNLayer on longer sequences and wider layers (outputs and gradients)"""
    check_layer(submission(EXERCISE), s, grads=True, oracle=lambda data, grads: reference_layer(
        reference(EXERCISE), data, grads), reveal=False)


@weight(2)
@visibility("after_due_date")
def test_bptt_shapes_equal_the_reference_symbolically(submission, reference):
    """Part 2: every shape, sympy-equal to the reference"""
    sub, ref = submission(EXERCISE), reference(EXERCISE)
    for quantity in QUANTITIES:
        name = f"answer_shape_{quantity}"
        check_shape_answer(getattr(sub, name)(), quantity, f"{name}()", reference=getattr(ref, name)())


@weight(3)
@visibility("after_due_date")
@settings(max_examples=12)
@given(s=rnn_settings(**WIDE))
@example(s=setting(batch=1, steps=15, input_size=2, hidden_size=5, output_size=1, h0=True, seed=12))
def test_bptt_gradients_on_longer_sequences(submission, reference, s):
    """bptt_gradients on longer sequences and wider layers"""
    arrays = make_arrays(s)
    ref = reference(EXERCISE).bptt_gradients(*(arrays[k] for k in ARG_ORDER), arrays["dL_dy_hat"])
    expected = dict(zip(("W_hy", "b_y", "W_hh", "W_xh", "b_h"), ref))
    sub = submission(EXERCISE)
    check_bptt(call_bptt(sub, arrays), arrays, bptt_what(s), expected=expected, reveal=False, rerun=rerun_bptt(sub))
