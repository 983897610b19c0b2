"""Public grading tests for exercises/rnn.py.

Part 1 against nn.RNNCell / nn.RNN + nn.Linear with the grader's weights copied in (outputs, and
gradients by autograd); Part 2 with sympy, against the shapes of real torch objects at several sizes;
Part 3 against torch autograd, plus the NumPy-only rule.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from torch import nn

from autograder.checks import Mismatch

from .rnn_support import (ARG_ORDER, EXERCISE, QUANTITIES, call_bptt, check_bptt, check_layer, check_rule,
                          check_shape_answer, compare_grads, compare_outputs, describe, make_arrays, make_data,
                          parameter_report, rnn_settings, run_cell, setting, student_params, torch_cell, torch_rnn,
                          bptt_what, cell_h_prev)

pytestmark = pytest.mark.exercise(EXERCISE)

# H == D and B == T make transposed weights and a wrong time axis run without errors (and so show the hint).
SQUARE = setting(batch=2, steps=3, input_size=3, hidden_size=3, output_size=2, h0=True, seed=1)
SEED_SIZES = setting(batch=2, steps=4, input_size=3, hidden_size=4, output_size=3, h0=False, seed=2)  # O == D


# ---------------------------------------------------------------- Part 1
@weight(1)
def test_parameters_are_named_and_shaped(submission):
    """RNNCell and RNNLayer parameters: names and shapes"""
    sub = submission(EXERCISE)
    got = sub.run_probe(parameter_report, sub.RNNCell(3, 4))
    expected = {"W_xh": [4, 3], "W_hh": [4, 4], "b_h": [4]}
    if got != expected:
        raise Mismatch(f"RNNCell(input_size=3, hidden_size=4): its parameters (name: shape)\n"
                       f"  expected: {expected}\n  got:      {got}")
    got = sub.run_probe(parameter_report, sub.RNNLayer(3, 4, 2))
    expected = {"cell.W_xh": [4, 3], "cell.W_hh": [4, 4], "cell.b_h": [4], "W_hy": [2, 4], "b_y": [2]}
    if got != expected:
        raise Mismatch(f"RNNLayer(input_size=3, hidden_size=4, output_size=2): its parameters (name: shape)\n"
                       f"  expected: {expected}\n  got:      {got}")


@weight(2)
@settings(max_examples=10)
@given(s=rnn_settings())
@example(s=SQUARE)
def test_cell_matches_nn_rnncell(submission, s):
    """RNNCell: one step (and its gradients) agrees with nn.RNNCell"""
    sub = submission(EXERCISE)
    data = make_data(s)
    cell = sub.RNNCell(s["input_size"], s["hidden_size"])
    params = {k: data[k] for k in ("W_xh", "W_hh", "b_h")}
    got = sub.run_probe(run_cell, cell, params, data["x"][:, 0], cell_h_prev(data), data["grad_h"][:, 0])
    expected = torch_cell(data, grads=True)
    what = f"RNNCell({s['input_size']}, {s['hidden_size']}) on x_t of shape {(s['batch'], s['input_size'])}"
    compare_outputs(got, expected, data, what, "nn.RNNCell with the same weights", True, keys=(("h", "h_t"),))
    compare_grads(got, expected, [("x", "x_t"), ("h_prev", "h_prev"), ("W_xh", "W_xh"), ("W_hh", "W_hh"),
                                  ("b_h", "b_h")], what, "autograd through nn.RNNCell", True)


@weight(3)
@settings(max_examples=12)
@given(s=rnn_settings())
@example(s=SQUARE)
@example(s=SEED_SIZES)
def test_layer_matches_nn_rnn(submission, s):
    """RNNLayer: all hidden states and outputs agree with nn.RNN (tanh, batch_first) + nn.Linear"""
    check_layer(submission(EXERCISE), s, grads=False)


@weight(2)
@settings(max_examples=8)
@given(s=rnn_settings())
@example(s=SQUARE)
def test_layer_gradients_match_autograd_through_nn_rnn(submission, s):
    """RNNLayer: gradients (input, h0, every weight) agree with autograd through nn.RNN"""
    check_layer(submission(EXERCISE), s, grads=True)


# ---------------------------------------------------------------- Part 2
@weight(1)
@pytest.mark.parametrize("quantity", QUANTITIES)
def test_bptt_shape(submission, quantity):
    """Part 2: shape (sympy, in B, H, D)"""
    got = getattr(submission(EXERCISE), f"answer_shape_{quantity}")()
    check_shape_answer(got, quantity, f"answer_shape_{quantity}()")


# ---------------------------------------------------------------- Part 3
@weight(2)
@settings(max_examples=10)
@given(s=rnn_settings())
@example(s=SQUARE)
def test_rnn_forward_numpy_matches_nn_rnn(submission, s):
    """rnn_forward_numpy agrees with nn.RNN + nn.Linear (float64)"""
    arrays = make_arrays(s)
    got = submission(EXERCISE).rnn_forward_numpy(*(arrays[k] for k in ARG_ORDER))
    data = make_data(dict(s, h0=True), dtype=__import__("torch").float64)
    expected = torch_rnn(data, grads=False)
    what = f"rnn_forward_numpy on {describe(dict(s, h0=True))} (float64)"
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise Mismatch(f"{what}\n  expected: a pair of arrays (h, y_hat)\n  got:      {type(got).__name__}")
    compare_outputs({"h": _tensor(got[0]), "y": _tensor(got[1])}, expected, data, what,
                    "nn.RNN + nn.Linear with the same weights", True)


def _tensor(value):
    import numpy as np
    import torch

    return torch.from_numpy(value) if isinstance(value, np.ndarray) else value


@weight(5)
@settings(max_examples=20)
@given(s=rnn_settings())
@example(s=SQUARE)
@example(s=SEED_SIZES)
def test_bptt_gradients_match_autograd(submission, s):
    """bptt_gradients: dL/dW_hy, dL/db_y, dL/dW_hh, dL/dW_xh, dL/db_h agree with torch autograd"""
    arrays = make_arrays(s)
    check_bptt(call_bptt(submission(EXERCISE), arrays), arrays, bptt_what(s))


@weight(2)
def test_bptt_rule_numpy_only(submission):
    """Rule: rnn_forward_numpy and bptt_gradients use NumPy only (no torch, no autograd)"""
    check_rule(submission(EXERCISE), SQUARE)


__all__ = ["nn", "student_params"]
