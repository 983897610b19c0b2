"""Hidden tests for lstm: longer sequences and wider layers, the reference solution as the oracle.

Feedback names the setting and the values returned, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import example, given, settings

from ..public.lstm_support import EXERCISE, check_layer, lstm_settings, reference_layer, setting

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(3)
@visibility("after_due_date")
@settings(max_examples=8)
@given(s=lstm_settings(max_batch=4, max_steps=10, max_input=6, max_hidden=7))
@example(s=setting(batch=3, steps=15, input_size=5, hidden_size=6, state=True, seed=11))
def test_layer_on_longer_sequences(submission, reference, s):
    """LSTMLayer on longer sequences and wider layers (outputs and gradients)"""
    check_layer(submission(EXERCISE), s, grads=True,
                oracle=lambda data, grads: reference_layer(reference(EXERCISE), data, grads), reveal=False)
