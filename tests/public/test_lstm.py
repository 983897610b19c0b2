"""Public grading tests for exercises/lstm.py.

The cell against nn.LSTMCell and the layer against nn.LSTM (batch_first), with nn.LSTM's packed
weights (gate order i, f, g, o) copied into the student's parameters; outputs and gradients.

Promises of the docstrings and the tests that exercise them:

| promise                                                          | test(s)                                  |
| ---------------------------------------------------------------- | ---------------------------------------- |
| weight_ih (4H, D), weight_hh (4H, H), bias (4H,); layer: cell.*  | test_parameters_are_named_and_shaped_... |
| initialised: finite, weights not constant, RMS <= 2/sqrt(H)     | test_parameters_are_initialised          |
| gate blocks in PyTorch's order i, f, g, o (random weights tell   | test_cell_matches_nn_lstmcell,           |
|   all 24 orders apart)                                           |   test_layer_matches_nn_lstm             |
| cell: state (h_prev, c_prev) in that order, C_{t-1} non-zero in  | test_cell_matches_nn_lstmcell            |
|   [-2, 2]; returns (h_t, c_t); gradients for all inputs, weights |                                          |
| layer: B > 1, T > 1, initial (h_0, C_0) given (both non-zero)    | test_layer_matches_nn_lstm,              |
|   and None (zeros)                                               |   test_layer_gradients_match_autograd_...|
|                                                                  |   hidden: test_layer_on_longer_sequences |
| layer returns (h_1..h_T batch-first, (h_T, C_T))                 | test_layer_matches_nn_lstm               |
| layer differentiable: x, h_0, C_0, weights; state not detached   | test_layer_gradients_match_autograd_...,|
|                                                                  |   hidden: test_layer_on_longer_sequences |
| any input magnitude (x with standard deviation 1000: saturated)  | test_layer_matches_nn_lstm               |

Not graded: float64 (not asked for; torch's default float32 is used).
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings

from autograder.checks import Mismatch

from .lstm_support import (EXERCISE, check_cell, check_initialisation, check_layer, lstm_settings, parameter_report,
                           parameter_values, setting)

pytestmark = pytest.mark.exercise(EXERCISE)

TYPICAL = setting(batch=2, steps=3, input_size=3, hidden_size=2, state=True, seed=1)
NO_STATE = setting(batch=1, steps=4, input_size=2, hidden_size=3, state=False, seed=2)
# x of magnitude ~1000: the gates saturate (a sigmoid or tanh written with exp overflows there)
LARGE = setting(batch=2, steps=3, input_size=2, hidden_size=3, state=True, seed=3, scale=1000)


@weight(1)
def test_parameters_are_named_and_shaped_like_nn_lstm(submission):
    """LSTMCell and LSTMLayer parameters: names and packed shapes"""
    sub = submission(EXERCISE)
    got = sub.run_probe(parameter_report, sub.LSTMCell(3, 2))
    expected = {"weight_ih": [8, 3], "weight_hh": [8, 2], "bias": [8]}
    if got != expected:
        raise Mismatch(f"LSTMCell(input_size=3, hidden_size=2): its parameters (name: shape)\n"
                       f"  expected: {expected}\n  got:      {got}")
    got = sub.run_probe(parameter_report, sub.LSTMLayer(3, 2))
    expected = {f"cell.{k}": v for k, v in expected.items()}
    if got != expected:
        raise Mismatch(f"LSTMLayer(input_size=3, hidden_size=2): its parameters (name: shape)\n"
                       f"  expected: {expected}\n  got:      {got}")


@weight(1)
def test_parameters_are_initialised(submission):
    """LSTMCell and LSTMLayer: parameters initialised (finite, weights not constant, small)"""
    sub = submission(EXERCISE)
    check_initialisation(sub.run_probe(parameter_values, sub.LSTMCell(3, 16)), 16,
                         "LSTMCell(input_size=3, hidden_size=16): its parameters right after construction")
    check_initialisation(sub.run_probe(parameter_values, sub.LSTMLayer(3, 16)), 16,
                         "LSTMLayer(input_size=3, hidden_size=16): its parameters right after construction")


@weight(2)
@settings(max_examples=12)
@given(s=lstm_settings())
@example(s=TYPICAL)
def test_cell_matches_nn_lstmcell(submission, s):
    """LSTMCell: one step (h_t, C_t and their gradients) agrees with nn.LSTMCell"""
    check_cell(submission(EXERCISE), s)


@weight(3)
@settings(max_examples=12)
@given(s=lstm_settings())
@example(s=TYPICAL)
@example(s=NO_STATE)
@example(s=LARGE)
def test_layer_matches_nn_lstm(submission, s):
    """LSTMLayer: every hidden state and the final (h_T, C_T) agree with nn.LSTM"""
    check_layer(submission(EXERCISE), s, grads=False)


@weight(2)
@settings(max_examples=8)
@given(s=lstm_settings())
@example(s=TYPICAL)
def test_layer_gradients_match_autograd_through_nn_lstm(submission, s):
    """LSTMLayer: gradients (input, initial state, every weight) agree with autograd through nn.LSTM"""
    check_layer(submission(EXERCISE), s, grads=True)
