"""Public grading tests for exercises/rnn.py.

Part 1 against nn.RNNCell / nn.RNN + nn.Linear with the grader's weights copied in (outputs, and
gradients by autograd); Part 2 with sympy, against the shapes of real torch objects at several sizes;
Part 3 against torch autograd, plus the NumPy-only rule.

Promises of the docstrings and the tests that exercise them:

| promise                                                         | test(s)                                   |
| --------------------------------------------------------------- | ----------------------------------------- |
| parameter names and shapes (cell.W_xh (H, D), ..., W_hy (O, H)) | test_parameters_are_named_and_shaped      |
| initialised: finite, weights not constant, RMS <= 2/sqrt(H)    | test_parameters_are_initialised           |
| initialised centred on 0 (symmetric range; zero biases pass)    | test_parameters_are_initialised           |
| cell: tanh, W_xh and W_hh transposed (H != D and H == D), b_h   | test_cell_matches_nn_rnncell              |
| cell: gradients for x_t, h_prev (non-zero), W_xh, W_hh, b_h     | test_cell_matches_nn_rnncell              |
| layer: B > 1, T > 1, O != D, h0 given (non-zero) and h0 = None  | test_layer_matches_nn_rnn,                |
|                                                                 |   test_layer_gradients_match_autograd_... |
|                                                                 |   hidden: test_layer_on_longer_sequences  |
| layer returns (y_hat, h), h = h_1..h_T batch-first              | test_layer_matches_nn_rnn                 |
| layer differentiable: x, h0, every weight; state not detached   | test_layer_gradients_match_autograd_...,  |
|                                                                 |   hidden: test_layer_on_longer_sequences  |
| any input magnitude (x with standard deviation 1000: saturated) | test_layer_matches_nn_rnn,                |
|                                                                 |   test_rnn_forward_numpy_matches_nn_rnn   |
| Part 2 shapes, sympy tuples in B, H, D                          | test_bptt_shape, hidden: test_bptt_shapes_|
|                                                                 |   equal_the_reference_symbolically        |
| rnn_forward_numpy: (h, y_hat), h0 non-zero, O != D, float64     | test_rnn_forward_numpy_matches_nn_rnn     |
|   results at float64 precision, arguments left unchanged        |                                           |
| bptt_gradients: order of the five, sums over batch and time,    | test_bptt_gradients_match_autograd,       |
|   h0 non-zero, long T                                           |   hidden: test_bptt_gradients_on_longer_  |
|                                                                 |   sequences                               |
| NumPy only, no torch or autograd                                | test_bptt_rule_numpy_only                 |

Not graded: float64 in Part 1 (not asked for; torch's default float32 is used).
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from torch import nn

from autograder.checks import Mismatch

from .rnn_support import (ARG_ORDER, CENTRED_SIZE, EXERCISE, HINTS, QUANTITIES, TOLERANCES, bptt_what,
                          call_bptt, call_keeping_args, cell_h_prev, check_bptt, check_centred,
                          check_initialisation, check_layer, check_rule, check_shape_answer, compare_grads,
                          compare_outputs, describe, hint_text, make_arrays, make_data, numpy_pair,
                          parameter_report, parameter_values, rerun_bptt, rerun_cell, rerun_numpy_forward,
                          rnn_settings, run_cell, setting, student_params, torch_cell, torch_rnn)

pytestmark = pytest.mark.exercise(EXERCISE)

# H == D and B == T make transposed weights and a wrong time axis run without errors (and so show the hint).
SQUARE = setting(batch=2, steps=3, input_size=3, hidden_size=3, output_size=2, h0=True, seed=1)
SEED_SIZES = setting(batch=2, steps=4, input_size=3, hidden_size=4, output_size=3, h0=False, seed=2)  # O == D
# x of magnitude ~1000: tanh saturates (a tanh written with exp overflows there)
LARGE = setting(batch=2, steps=3, input_size=2, hidden_size=3, output_size=2, h0=True, seed=3, scale=1000)


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


@weight(1)
def test_parameters_are_initialised(submission):
    """RNNCell and RNNLayer: parameters initialised (finite, weights not constant, small, centred on 0)"""
    sub = submission(EXERCISE)
    check_initialisation(sub.run_probe(parameter_values, sub.RNNCell(3, 16)), 16,
                         "RNNCell(input_size=3, hidden_size=16): its parameters right after construction")
    check_initialisation(sub.run_probe(parameter_values, sub.RNNLayer(3, 16, 2)), 16,
                         "RNNLayer(input_size=3, hidden_size=16, output_size=2): its parameters right after "
                         "construction")
    # centred on 0: at a size where a symmetric random initialisation cannot fail by chance
    n = CENTRED_SIZE
    check_centred(sub.run_probe(parameter_values, sub.RNNCell(8, n)), n,
                  f"RNNCell(input_size=8, hidden_size={n}): its parameters right after construction")
    check_centred(sub.run_probe(parameter_values, sub.RNNLayer(8, n, n)), n,
                  f"RNNLayer(input_size=8, hidden_size={n}, output_size={n}): its parameters right after "
                  f"construction")


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
    compare_outputs(got, expected, data, what, "nn.RNNCell with the same weights", True, keys=(("h", "h_t"),),
                    rerun=rerun_cell(sub))
    compare_grads(got, expected, [("x", "x_t"), ("h_prev", "h_prev"), ("W_xh", "W_xh"), ("W_hh", "W_hh"),
                                  ("b_h", "b_h")], what, "autograd through nn.RNNCell", True)


@weight(3)
@settings(max_examples=12)
@given(s=rnn_settings())
@example(s=SQUARE)
@example(s=SEED_SIZES)
@example(s=LARGE)
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
@example(s=LARGE)
def test_rnn_forward_numpy_matches_nn_rnn(submission, s):
    """rnn_forward_numpy agrees with nn.RNN + nn.Linear (float64)"""
    sub = submission(EXERCISE)
    arrays = make_arrays(s)
    call = sub.run_probe(call_keeping_args, sub._handle(), "rnn_forward_numpy", *(arrays[k] for k in ARG_ORDER))
    got = numpy_pair(call["result"])
    data = make_data(dict(s, h0=True), dtype=torch.float64)
    expected = torch_rnn(data, grads=False)
    what = f"rnn_forward_numpy on {describe(dict(s, h0=True))} (float64)"
    for key, label in (("h", "h"), ("y", "y_hat")):
        value = got.get(key)
        if isinstance(value, torch.Tensor) and value.dtype != torch.float64:
            raise Mismatch(f"{what}\n  {label} is an array of dtype {str(value.dtype).removeprefix('torch.')}, "
                           f"not float64" + hint_text("not_float64", HINTS))
    compare_outputs(got, expected, data, what, "nn.RNN + nn.Linear with the same weights", True,
                    rerun=rerun_numpy_forward(sub), tol=TOLERANCES["float64"])
    if call["changed"]:
        raise Mismatch(f"{what}\n  the values are right, but the call changed its argument(s) "
                       f"{', '.join(ARG_ORDER[i] for i in call['changed'])} in place"
                       + hint_text("modified_in_place", HINTS))


@weight(4)
@settings(max_examples=20)
@given(s=rnn_settings())
@example(s=SQUARE)
@example(s=SEED_SIZES)
def test_bptt_gradients_match_autograd(submission, s):
    """bptt_gradients: dL/dW_hy, dL/db_y, dL/dW_hh, dL/dW_xh, dL/db_h agree with torch autograd"""
    sub = submission(EXERCISE)
    arrays = make_arrays(s)
    check_bptt(call_bptt(sub, arrays), arrays, bptt_what(s), rerun=rerun_bptt(sub))


@weight(2)
def test_bptt_rule_numpy_only(submission):
    """Rule: rnn_forward_numpy and bptt_gradients use NumPy only (no torch, no autograd)"""
    check_rule(submission(EXERCISE), SQUARE)


__all__ = ["nn", "student_params"]
