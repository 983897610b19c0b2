"""Shared by the public and hidden rnn tests: hints, rules, strategies, torch oracles, probes, diagnosis.

Oracles are PyTorch built-ins (``nn.RNNCell``, ``nn.RNN``, ``nn.Linear``) and autograd. The wrong
answers that the hints name are computed with the same built-ins (or autograd with one path cut), so
no hand-written answer appears here. The probes (``run_cell``, ``run_layer``, ``parameter_report``)
run next to the student's code (in the worker when grading on Gradescope).
"""
from __future__ import annotations


import numpy as np
import sympy
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

from autograder.checks import TOLERANCES, check_init, Mismatch, assert_close, exceeds, fail, hint_text, sympy_equivalent
from autograder.rules import ANY_TORCH, check_source, run_without

EXERCISE = "rnn"

HINTS = {
    "nonlinearity": "the hidden nonlinearity of this exercise is tanh (nn.RNN's default), not the logistic "
                    "sigmoid: h_t = tanh(x_t @ W_xh.T + h_{t-1} @ W_hh.T + b_h).",
    "state_not_carried": "every step must start from the state the previous step produced: h_t is computed "
                         "from h_{t-1}, and only the first step starts from h0.",
    "output_from_previous_state": "y_hat_t = h_t @ W_hy.T + b_y uses the state computed at the same step t, "
                                  "not h_{t-1}.",
    "weights_transposed": "the weights are stored as in the column-vector equations, (out, in): on a batch "
                          "of rows multiply by the transpose, x_t @ W_xh.T and h_{t-1} @ W_hh.T (W_hh is "
                          "square, so using it untransposed gives no error, only wrong values).",
    "h0_included": "return the T states h_1..h_T, not h_0 as well (nor only the last state).",
    "time_axis": "the input is batch-first, (B, T, D): step t is x[:, t], and the outputs are stacked on "
                 "dim 1.",
    "shape_orientation": "under this exercise's convention the weights keep the orientation of the "
                         "equations: W_xh maps an input (D values) to a hidden state (H values), so it has H "
                         "rows and D columns, as nn.RNN's weight_ih_l0 and nn.Linear's weight do; W_hy has "
                         "one row per output.",
    "shape_batch_axis": "batch-first rows: one time step of the batch has the batch size B first and the "
                        "feature size second.",
    "shape_bias": "your answer is not a 1-tuple: a bias is one vector, shared by every example of the batch, so "
                  "its shape is a 1-tuple such as (H,).",
    "shape_output_size": "the problem uses one size D for the input and the output embedding, so y_hat_t "
                         "has D features.",
    "recurrent_dropped": "only the direct path from the loss at step t to h_t is there: h_t also changes "
                         "h_{t+1}, h_{t+2}, ..., so dL/dh_t = dL_t/dh_t + (dL/dh_{t+1}) dh_{t+1}/dh_t: carry "
                         "the gradient backwards through W_hh from step to step.",
    "time_sum_missing": "the weights are shared by every time step, so each gradient is the SUM over all "
                        "steps t = 1..T of that step's contribution (not one step's, not the average, and "
                        "every L_t counts, not only L_T).",
    "tanh_wrong_step": "the tanh derivative at step t is 1 - h_t**2, with the state h_t that this step's "
                       "tanh produced (not h_{t-1}): dL/da_t = dL/dh_t * (1 - h_t**2), where "
                       "a_t = x_t @ W_xh.T + h_{t-1} @ W_hh.T + b_h.",
    "not_numpy": "return NumPy arrays (np.ndarray), one per gradient, each shaped like its parameter.",
    "not_differentiable": "autograd could not reach this parameter or the input: build the output from torch "
                          "operations on the inputs and the parameters (no .detach(), .data, .item(), numpy or "
                          "torch.no_grad() in forward).",
    "h0_ignored": "your states are those of a run that starts from zeros although an initial state h0 was given: "
                  "the first step starts from h0 (zeros only when h0 is None).",
    "h0_first_step": "your gradients are those of a backward pass that uses the last state h_T where the state "
                     "before the first step belongs: at t = 0 the previous state is h0. (In Python h[:, t - 1] "
                     "with t = 0 is h[:, -1], the last state; and h0 must still hold its values when the backward "
                     "pass reads it.)",
    "modified_in_place": "your function changed the arrays it was given: the caller still needs them (bptt_gradients "
                         "reads h0 and x again after the forward pass). Compute into new arrays (h_t = np.tanh(...) "
                         "binds a new array; h_t[:] = ... or += on an argument writes into it).",
    "not_float64": "the inputs are float64 arrays and the results must keep float64 precision: no float32 arrays "
                   "(np.zeros(shape) is float64 by default; dtype=np.float32 or .astype(np.float32) is not).",
    "state_detached": "your gradients are those of a graph cut between time steps: the state handed from one "
                      "step to the next is detached (.detach(), .data, a copy or torch.no_grad), so no gradient "
                      "flows back through time. Keep h_{t-1} in the graph: h_t depends on it through W_hh.",
    "init": "initialise every parameter uniformly in [-1/sqrt(H), 1/sqrt(H)], H the hidden size (as nn.RNN and "
            "nn.Linear do, e.g. tensor.uniform_(-k, k) with k = 1/sqrt(H)): random, so that the hidden units differ, "
            "and small, so that tanh does not saturate.",
}

# ---------------------------------------------------------------- rule (Part 3)
RULE_NUMPY = "rnn_forward_numpy and bptt_gradients use NumPy only: no torch and no autograd"
NUMPY_FUNCS = ("rnn_forward_numpy", "bptt_gradients")
# Switched off while the student's function runs (tensors from arrays, and every way into autograd).
TORCH_CALLS = ["torch.from_numpy", "torch.tensor", "torch.as_tensor", "torch.Tensor.backward",
               "torch.autograd.backward", "torch.autograd.grad"]
# Read in the text of the two functions (names are matched by their last part).
TORCH_NAMES = ["torch", "autograd", "jax", "backward", "from_numpy", "requires_grad"]


# ---------------------------------------------------------------- settings and data
@st.composite
def rnn_settings(draw, max_batch=3, max_steps=4, max_input=3, max_hidden=4, max_output=3):
    return dict(batch=draw(st.integers(1, max_batch), label="B"),
                steps=draw(st.integers(1, max_steps), label="T"),
                input_size=draw(st.integers(1, max_input), label="D"),
                hidden_size=draw(st.integers(1, max_hidden), label="H"),
                output_size=draw(st.integers(1, max_output), label="O"),
                h0=draw(st.booleans(), label="h0 given"),
                seed=draw(st.integers(0, 2**16), label="seed"))


def setting(batch, steps, input_size, hidden_size, output_size, h0=True, seed=0, scale=1) -> dict:
    """A pinned setting; ``scale`` multiplies the input x (large values saturate tanh)."""
    out = dict(batch=batch, steps=steps, input_size=input_size, hidden_size=hidden_size, output_size=output_size,
               h0=h0, seed=seed)
    if scale != 1:
        out["scale"] = scale
    return out


def describe(s: dict) -> str:
    return (f"B={s['batch']}, T={s['steps']}, D={s['input_size']}, H={s['hidden_size']}, O={s['output_size']}, "
            f"h0={'given' if s['h0'] else 'None'}" + (f", x with standard deviation {s['scale']}"
                                                      if s.get("scale", 1) != 1 else ""))


def make_data(s: dict, dtype=torch.float32) -> dict:
    """Weights (torch's two hidden biases kept apart), input, h0 and upstream gradients from ``s["seed"]``."""
    g = torch.Generator().manual_seed(s["seed"])
    b, t, d, h, o = s["batch"], s["steps"], s["input_size"], s["hidden_size"], s["output_size"]

    def u(*shape):  # uniform in [-1, 1]: big enough that tanh is far from linear
        return (torch.rand(*shape, generator=g, dtype=torch.float64) * 2 - 1).to(dtype)

    data = dict(W_xh=u(h, d), W_hh=u(h, h), b_ih=u(h), b_hh=u(h), W_hy=u(o, h), b_y=u(o),
                x=(torch.randn(b, t, d, generator=g, dtype=torch.float64) * s.get("scale", 1)).to(dtype),
                h0=u(b, h) if s["h0"] else None,
                grad_y=torch.randn(b, t, o, generator=g, dtype=torch.float64).to(dtype),
                grad_h=torch.randn(b, t, h, generator=g, dtype=torch.float64).to(dtype))
    data["b_h"] = data["b_ih"] + data["b_hh"]
    return data


def student_params(data: dict) -> dict:
    return {k: data[k] for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")}


# ---------------------------------------------------------------- torch oracles
def torch_rnn(data: dict, grads: bool) -> dict:
    """nn.RNN (tanh, batch_first) and nn.Linear with the data's weights; autograd for the gradients."""
    h_size, d_size = data["W_hh"].shape[0], data["W_xh"].shape[1]
    rnn = nn.RNN(d_size, h_size, batch_first=True, dtype=data["x"].dtype)
    lin = nn.Linear(h_size, data["W_hy"].shape[0], dtype=data["x"].dtype)
    with torch.no_grad():
        for p, v in ((rnn.weight_ih_l0, "W_xh"), (rnn.weight_hh_l0, "W_hh"), (rnn.bias_ih_l0, "b_ih"),
                     (rnn.bias_hh_l0, "b_hh"), (lin.weight, "W_hy"), (lin.bias, "b_y")):
            p.copy_(data[v])
    x = data["x"].clone().requires_grad_(grads)
    h0 = None if data["h0"] is None else data["h0"].clone().requires_grad_(grads)
    h, _ = rnn(x, None if h0 is None else h0.unsqueeze(0))
    y = lin(h)
    out = {"y": y.detach(), "h": h.detach()}
    if grads:
        ((y * data["grad_y"]).sum() + (h * data["grad_h"]).sum()).backward()
        out.update(x=x.grad, h0=None if h0 is None else h0.grad, W_xh=rnn.weight_ih_l0.grad,
                   W_hh=rnn.weight_hh_l0.grad, b_h=rnn.bias_ih_l0.grad, W_hy=lin.weight.grad, b_y=lin.bias.grad)
    return out


def torch_cell(data: dict, grads: bool) -> dict:
    """nn.RNNCell on the first step of the data."""
    cell = nn.RNNCell(data["W_xh"].shape[1], data["W_hh"].shape[0], dtype=data["x"].dtype)
    with torch.no_grad():
        for p, v in ((cell.weight_ih, "W_xh"), (cell.weight_hh, "W_hh"), (cell.bias_ih, "b_ih"),
                     (cell.bias_hh, "b_hh")):
            p.copy_(data[v])
    x = data["x"][:, 0].clone().requires_grad_(grads)
    h_prev = cell_h_prev(data).clone().requires_grad_(grads)
    h = cell(x, h_prev)
    out = {"h": h.detach()}
    if grads:
        (h * data["grad_h"][:, 0]).sum().backward()
        out.update(x=x.grad, h_prev=h_prev.grad, W_xh=cell.weight_ih.grad, W_hh=cell.weight_hh.grad,
                   b_h=cell.bias_ih.grad)
    return out


def cell_h_prev(data: dict) -> torch.Tensor:
    return data["h0"] if data["h0"] is not None else torch.zeros(data["x"].shape[0], data["W_hh"].shape[0],
                                                                  dtype=data["x"].dtype)


def reference_layer(module, data: dict, grads: bool) -> dict:
    """The hidden tests' oracle: the reference RNNLayer with the same weights."""
    layer = module.RNNLayer(data["W_xh"].shape[1], data["W_hh"].shape[0], data["W_hy"].shape[0])
    return run_layer(layer, student_params(data), data["x"], data["h0"], data["grad_y"] if grads else None,
                     data["grad_h"] if grads else None)


# ---------------------------------------------------------------- probes (run beside the student's code)
PARAM_PATHS = {"W_xh": "cell.W_xh", "W_hh": "cell.W_hh", "b_h": "cell.b_h", "W_hy": "W_hy", "b_y": "b_y"}


def _get(obj, dotted: str):
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return obj


def load_params(module, params: dict, paths: dict) -> str | None:
    """Copy the grader's values into the student's parameters; a problem text, or None."""
    for name, value in params.items():
        p = _get(module, paths[name])
        if not isinstance(p, nn.Parameter):
            return f"{paths[name]} should be an nn.Parameter of shape {tuple(value.shape)}, got {type(p).__name__}"
        if tuple(p.shape) != tuple(value.shape):
            return f"{paths[name]} has shape {tuple(p.shape)}; expected {tuple(value.shape)}"
    with torch.no_grad():
        for name, value in params.items():
            _get(module, paths[name]).copy_(value)
    return None


def _grads(module, paths: dict) -> dict:
    return {name: _get(module, path).grad for name, path in paths.items()}


def run_cell(cell, params: dict, x_t, h_prev, grad_h=None) -> dict:
    """Probe: load W_xh, W_hh, b_h into the student's cell, run one step; with ``grad_h``, backpropagate."""
    paths = {"W_xh": "W_xh", "W_hh": "W_hh", "b_h": "b_h"}
    problem = load_params(cell, params, paths)
    if problem:
        return {"problem": problem}
    for p in cell.parameters():
        p.grad = None
    x_t = x_t.clone().requires_grad_(grad_h is not None)
    h_prev = h_prev.clone().requires_grad_(grad_h is not None)
    h = cell(x_t, h_prev)
    if not isinstance(h, torch.Tensor):
        return {"problem": f"the cell returned a {type(h).__name__}, not a tensor"}
    out = {"h": h.detach().clone()}
    if grad_h is None or tuple(h.shape) != tuple(grad_h.shape):
        return out
    if not h.requires_grad:
        return {**out, "no_graph": True}
    (h * grad_h.to(h.dtype)).sum().backward()
    return {**out, "x": x_t.grad, "h_prev": h_prev.grad, **_grads(cell, paths)}


run_cell.describes = "RNNCell.forward"


def run_layer(layer, params: dict, x, h0, grad_y=None, grad_h=None) -> dict:
    """Probe: load the weights into the student's layer, run it; with the upstream gradients, backpropagate
    sum(y_hat * grad_y) + sum(h * grad_h)."""
    problem = load_params(layer, params, PARAM_PATHS)
    if problem:
        return {"problem": problem}
    grads = grad_y is not None
    for p in layer.parameters():
        p.grad = None
    x = x.clone().requires_grad_(grads)
    h0 = None if h0 is None else h0.clone().requires_grad_(grads)
    result = layer(x) if h0 is None else layer(x, h0)
    if not (isinstance(result, (tuple, list)) and len(result) == 2
            and all(isinstance(r, torch.Tensor) for r in result)):
        return {"problem": f"the layer should return a pair of tensors (y_hat, h); it returned "
                           f"{type(result).__name__}" + (f" of length {len(result)}"
                                                         if isinstance(result, (tuple, list)) else "")}
    y, h = result
    out = {"y": y.detach().clone(), "h": h.detach().clone()}
    if not grads or tuple(y.shape) != tuple(grad_y.shape) or tuple(h.shape) != tuple(grad_h.shape):
        return out
    if not (y.requires_grad and h.requires_grad):
        return {**out, "no_graph": True}
    ((y * grad_y.to(y.dtype)).sum() + (h * grad_h.to(h.dtype)).sum()).backward()
    return {**out, "x": x.grad, "h0": None if h0 is None else h0.grad, **_grads(layer, PARAM_PATHS)}


run_layer.describes = "RNNLayer.forward"


def parameter_report(module) -> dict:
    """Probe: the module's parameters, name -> shape."""
    return {name: list(p.shape) for name, p in module.named_parameters()}


def parameter_values(module) -> dict:
    """Probe: the module's parameters as constructed, name -> values."""
    return {name: p.detach().clone() for name, p in module.named_parameters()}


def check_initialisation(values, hidden_size: int, what: str) -> None:
    """The parameters as constructed, checked loosely (see autograder.checks.check_initialisation)."""
    check_init(values, hidden_size, what, hint_text("init", HINTS))


# An initialisation centred on 0 (uniform in [-k, k], Xavier, orthogonal, zero biases) gives entries whose
# mean is about rms / sqrt(n) in size; uniform in [0, k] gives 0.87 rms, a constant 1.0 rms. With n >= 128
# entries (CENTRED_SIZE) a centred one stays below the limit by more than 5 standard deviations.
CENTRED_SIZE = 128
CENTRED_LIMIT = 0.5


def check_centred(values, hidden_size: int, what: str) -> None:
    """Every parameter as constructed has entries centred on 0: |mean| <= CENTRED_LIMIT * rms
    (zero biases pass). Checked at a size where a random symmetric initialisation passes for sure."""
    for name, value in values.items():
        v = value.detach().double().flatten()
        if not v.numel():
            continue
        mean, rms = float(v.mean()), float(v.pow(2).mean().sqrt())
        if exceeds(abs(mean), CENTRED_LIMIT * rms):
            share = float((v > 0).double().mean())
            raise Mismatch(f"{what}\n  the {v.numel()} entries of {name} are not centred on 0: their mean is "
                           f"{mean:.4g} for a root mean square of {rms:.4g}, and {100 * share:.0f}% of them "
                           f"are positive (uniform in [-1/sqrt(H), 1/sqrt(H)] gives a mean near 0 and both "
                           f"signs about equally often; H = {hidden_size})" + hint_text("init", HINTS))


# ---------------------------------------------------------------- misconceptions of Part 1
def _loop(data, act=torch.tanh, carry=True, output_prev=False, transposed=False, zero_start=False):
    """The layer computed with one known mistake (a grader-side variant, never the oracle)."""
    W_xh, W_hh = data["W_xh"], data["W_hh"]
    if transposed:   # "both" (W_xh only where it is square), or "hh": only the square W_hh
        W_hh = W_hh.T
        if transposed == "both" and W_xh.shape[0] == W_xh.shape[1]:
            W_xh = W_xh.T
    h0 = cell_h_prev(data)
    if zero_start:
        h0 = torch.zeros_like(h0)
    h_t, hs, ys = h0, [], []
    for t in range(data["x"].shape[1]):
        h_new = act(F.linear(data["x"][:, t], W_xh) + F.linear(h_t if carry else h0, W_hh) + data["b_h"])
        ys.append(F.linear(h_t if output_prev else h_new, data["W_hy"], data["b_y"]))
        hs.append(h_new)
        h_t = h_new
    return {"y": torch.stack(ys, 1), "h": torch.stack(hs, 1)}


def layer_variants(data: dict) -> list[tuple[str, dict]]:
    out = [("nonlinearity", _loop(data, act=torch.sigmoid)),
           ("state_not_carried", _loop(data, carry=False)),
           ("output_from_previous_state", _loop(data, output_prev=True)),
           ("weights_transposed", _loop(data, transposed="both")),
           ("weights_transposed", _loop(data, transposed="hh")),
           ("h0_ignored", _loop(data, zero_start=True))]
    right = _loop(data)
    h0 = cell_h_prev(data).unsqueeze(1)
    out.append(("h0_included", {"y": right["y"], "h": torch.cat([h0, right["h"]], 1)}))
    out.append(("h0_included", {"y": right["y"], "h": right["h"][:, -1]}))
    try:  # time read from dim 0
        swapped = dict(data, x=data["x"].transpose(0, 1))
        if data["h0"] is not None:
            swapped["h0"] = None if data["x"].shape[0] != data["x"].shape[1] else data["h0"]
        v = _loop(swapped)
        out.append(("time_axis", {"y": v["y"].transpose(0, 1), "h": v["h"].transpose(0, 1)}))
    except RuntimeError:
        pass
    return out


# The mistakes a single step (RNNCell) can show; the others need a loop over time.
CELL_HINTS = ("nonlinearity", "weights_transposed")


def close(got, expected, rtol=None, atol=None) -> bool:
    rtol_d, atol_d = TOLERANCES[str(expected.dtype).removeprefix("torch.")]
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return False
    return bool(torch.allclose(got.double(), expected.double(), rtol=rtol or rtol_d, atol=atol or atol_d,
                               equal_nan=True))


def matching_layer(got: dict, expected: dict, data: dict, key: str) -> list[str]:
    """The hints of every known mistake whose output reproduces the student's ``key`` output ("y" or "h";
    a 2-D "h" is the cell's one step) on this input, and differs from the right one there."""
    value = got.get(key) if isinstance(got, dict) else None
    if not isinstance(value, torch.Tensor):
        return []
    cell = key == "h" and value.dim() == 2
    found = []
    for hint, variant in layer_variants(data):
        v = variant.get(key)
        if cell:
            if hint not in CELL_HINTS:
                continue
            v = v[:, 0]
        if v is not None and not close(v, expected[key], atol=1e-4) and close(value, v, atol=1e-4) \
                and hint not in found:
            found.append(hint)
    return found


# Settings the student's code is rerun on to confirm a cause: h0 given, several steps and examples,
# H == D (so that untransposed weights run) and B == T (so that a wrong time axis runs).
PROBE_SETTINGS = [setting(batch=3, steps=3, input_size=3, hidden_size=3, output_size=2, h0=True, seed=101),
                  setting(batch=2, steps=2, input_size=2, hidden_size=2, output_size=3, h0=True, seed=102)]


def diagnose_layer(got: dict, expected: dict, data: dict, key: str, rerun=None) -> str | None:
    """The hint of the one known mistake that explains the student's ``key`` output on this input and, with
    ``rerun(setting)`` -> (the student's outputs, the right ones, the data) on another setting, on every
    probe setting too; else None (the comparison's "observed" line still says what differs)."""
    from autograder.errors import GradingAbort

    found = matching_layer(got, expected, data, key)
    if found and rerun is not None:
        for s2 in PROBE_SETTINGS:
            try:
                got2, expected2, data2 = rerun(s2)
            except (Exception, GradingAbort):
                return None
            if not isinstance(got2, dict) or "problem" in got2:
                return None
            if close(got2.get(key), expected2[key], *grad_tolerance(expected2[key])):
                continue   # right on this setting: it tells nothing about the candidates
            here = matching_layer(got2, expected2, data2, key)
            found = [h for h in found if h in here]
    return found[0] if len(found) == 1 else None


def rerun_layer(sub):
    """``rerun`` for :func:`diagnose_layer`: the student's RNNLayer on another setting (float32, no gradients)."""
    def run(s2: dict):
        data2 = make_data(s2)
        layer = sub.RNNLayer(s2["input_size"], s2["hidden_size"], s2["output_size"])
        got = sub.run_probe(run_layer, layer, student_params(data2), data2["x"], data2["h0"])
        return got, torch_rnn(data2, grads=False), data2
    return run


def rerun_cell(sub):
    """``rerun`` for :func:`diagnose_layer`: the student's RNNCell on the first step of another setting."""
    def run(s2: dict):
        data2 = make_data(s2)
        cell = sub.RNNCell(s2["input_size"], s2["hidden_size"])
        params = {k: data2[k] for k in ("W_xh", "W_hh", "b_h")}
        got = sub.run_probe(run_cell, cell, params, data2["x"][:, 0], cell_h_prev(data2))
        return got, torch_cell(data2, grads=False), data2
    return run


def rerun_numpy_forward(sub):
    """``rerun`` for :func:`diagnose_layer`: the student's rnn_forward_numpy on another setting (float64)."""
    def run(s2: dict):
        s2 = dict(s2, h0=True)
        arrays = make_arrays(s2)
        data2 = make_data(s2, dtype=torch.float64)
        got = numpy_pair(sub.rnn_forward_numpy(*(arrays[k] for k in ARG_ORDER)))
        return got, torch_rnn(data2, grads=False), data2
    return run


def call_keeping_args(module, name: str, *args) -> dict:
    """Probe: ``module.<name>(*args)``; its result and the positions of the arguments it changed in place."""
    before = [np.array(a, copy=True) for a in args]
    result = getattr(module, name)(*args)
    changed = [i for i, (a, b) in enumerate(zip(args, before))
               if not (isinstance(a, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True))]
    return {"result": result, "changed": changed}


call_keeping_args.describes = "rnn_forward_numpy"


def numpy_pair(got) -> dict:
    """rnn_forward_numpy's (h, y_hat) as the dict the comparisons read (tensors where they are arrays)."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return {"problem": f"expected a pair of arrays (h, y_hat), got {type(got).__name__}"
                           + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")}
    return {key: torch.from_numpy(v) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
            for key, v in zip(("h", "y"), got)}


def grad_tolerance(expected: torch.Tensor) -> tuple[float, float]:
    """Gradients are sums over the batch and the time steps, added in another order than PyTorch's; float32
    rounding grows with the size of the sums, so the absolute tolerance scales with the largest entry."""
    scale = float(expected.abs().max()) if expected.numel() else 1.0
    return 1e-5, 1e-5 * max(1.0, scale)


def compare_outputs(got: dict, expected: dict, data: dict, what: str, source: str, reveal: bool,
                    keys=(("h", "hidden states h"), ("y", "outputs y_hat")), rerun=None, tol=None) -> None:
    """``tol`` = (rtol, atol), default: float32 rounding scaled to the values; ``rerun`` confirms a hint."""
    if "problem" in got:
        raise Mismatch(f"{what}\n  {got['problem']}")
    for key, label in keys:
        if key not in expected:
            continue
        rtol, atol = tol or grad_tolerance(expected[key])
        if not close(got[key], expected[key], rtol, atol):
            assert_close(got[key], expected[key], f"{what}\n  {label}, compared with {source}:", reveal=reveal,
                         rtol=min(rtol, 1e-5), atol=min(atol, 1e-5),
                         hint=diagnose_layer(got, expected, data, key, rerun), hints=HINTS)


GRAD_KEYS = ("x", "h0", "W_xh", "W_hh", "b_h", "W_hy", "b_y")


def detached_grads(data: dict) -> dict:
    """The layer's gradients by autograd when the state is detached between steps (a grader-side wrong
    variant, never the oracle); the loss is sum(y_hat * grad_y) + sum(h * grad_h), as in the probe."""
    p = {k: data[k].clone().requires_grad_() for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")}
    x = data["x"].clone().requires_grad_()
    h0 = None if data["h0"] is None else data["h0"].clone().requires_grad_()
    h_t, hs = cell_h_prev(data) if h0 is None else h0, []
    for t in range(x.shape[1]):
        h_in = h_t.detach() if t > 0 else h_t
        h_t = torch.tanh(F.linear(x[:, t], p["W_xh"]) + F.linear(h_in, p["W_hh"]) + p["b_h"])
        hs.append(h_t)
    h = torch.stack(hs, 1)
    y = F.linear(h, p["W_hy"], p["b_y"])
    ((y * data["grad_y"]).sum() + (h * data["grad_h"]).sum()).backward()
    return {"x": x.grad, "h0": None if h0 is None else h0.grad, **{k: v.grad for k, v in p.items()}}


def _grads_close(got: dict, want: dict) -> bool:
    return all(want.get(k) is None or close(got.get(k), want[k], *grad_tolerance(want[k])) for k in GRAD_KEYS)


def diagnose_grads(got: dict, expected: dict, data: dict, rerun=None) -> str | None:
    """"state_detached" when every gradient of the student's layer is that of the detached variant, here and on
    every probe setting (``rerun(setting)`` -> (the student's probe result with gradients, the right one,
    the data)); else None."""
    from autograder.errors import GradingAbort

    wrong = detached_grads(data)
    if _grads_close(wrong, expected) or not _grads_close(got, wrong):
        return None
    for s2 in PROBE_SETTINGS if rerun is not None else ():
        try:
            got2, expected2, data2 = rerun(s2)
        except (Exception, GradingAbort):
            return None
        if not isinstance(got2, dict) or "problem" in got2 or got2.get("no_graph"):
            return None
        if _grads_close(got2, expected2):
            continue
        if not _grads_close(got2, detached_grads(data2)):
            return None
    return "state_detached"


def rerun_layer_grads(sub):
    """``rerun`` for :func:`diagnose_grads`: the student's RNNLayer on another setting, with gradients."""
    def run(s2: dict):
        data2 = make_data(s2)
        layer = sub.RNNLayer(s2["input_size"], s2["hidden_size"], s2["output_size"])
        got = sub.run_probe(run_layer, layer, student_params(data2), data2["x"], data2["h0"], data2["grad_y"],
                            data2["grad_h"])
        return got, torch_rnn(data2, grads=True), data2
    return run


def compare_grads(got: dict, expected: dict, names, what: str, source: str, reveal: bool, data=None,
                  rerun=None) -> None:
    """With ``data`` (the layer's), a gradient that differs is diagnosed (a state detached between steps)."""
    if got.get("no_graph"):
        raise Mismatch(f"{what}\n  the output does not require grad, so nothing can be backpropagated"
                       + hint_text("not_differentiable", HINTS))
    for key, label in names:
        if expected.get(key) is None:
            continue
        text = f"{what}\n  gradient with respect to {label}, compared with {source}:"
        if got.get(key) is None:
            raise Mismatch(f"{text}\n  got: None (no gradient reached {label})" + hint_text("not_differentiable",
                                                                                          HINTS))
        rtol, atol = grad_tolerance(expected[key])
        hint = None
        if data is not None and not close(got[key], expected[key], rtol, atol):
            hint = diagnose_grads(got, expected, data, rerun)
        assert_close(got[key], expected[key], text, rtol=rtol, atol=atol, reveal=reveal, hint=hint, hints=HINTS)


LAYER_GRADS = [("x", "x"), ("h0", "h0"), ("W_xh", "cell.W_xh"), ("W_hh", "cell.W_hh"), ("b_h", "cell.b_h"),
               ("W_hy", "W_hy"), ("b_y", "b_y")]


def check_layer(sub, s: dict, *, grads: bool, oracle=None, reveal: bool = True) -> None:
    data = make_data(s)
    layer = sub.RNNLayer(s["input_size"], s["hidden_size"], s["output_size"])
    got = sub.run_probe(run_layer, layer, student_params(data), data["x"], data["h0"],
                        data["grad_y"] if grads else None, data["grad_h"] if grads else None)
    what = f"RNNLayer({s['input_size']}, {s['hidden_size']}, {s['output_size']}) on {describe(s)}"
    source = "nn.RNN + nn.Linear with the same weights" if oracle is None else "the reference layer"
    expected = torch_rnn(data, grads) if oracle is None else oracle(data, grads)
    compare_outputs(got, expected, data, what, source, reveal, rerun=rerun_layer(sub))
    if grads:
        compare_grads(got, expected, LAYER_GRADS, what + "\n  backpropagating sum(y_hat * g_y) + sum(h * g_h)",
                      "autograd through nn.RNN" if oracle is None else source, reveal, data=data,
                      rerun=rerun_layer_grads(sub))


# ---------------------------------------------------------------- Part 2: shapes with sympy
SYMBOLS = {name: sympy.Symbol(name, positive=True, integer=True) for name in ("B", "H", "D")}
QUANTITIES = ("x_t", "y_hat_t", "h_t", "W_xh", "W_hh", "W_hy", "b_h", "b_y")
POINTS = ({"B": 2, "H": 3, "D": 5}, {"B": 7, "H": 11, "D": 13}, {"B": 17, "H": 4, "D": 9})


def torch_shapes(B: int, H: int, D: int) -> dict:
    """Every quantity's shape, read off real modules and tensors of these sizes, batch-first; the output
    layer maps back to the D-dimensional embedding, as in the problem. (The sizes are small, so on the
    CPU: an RNN on the meta device imports torch._dynamo, ~2 s and ~70 MB in the grader.)"""
    rnn = nn.RNN(D, H, batch_first=True)
    lin = nn.Linear(H, D)
    x = torch.zeros(B, 3, D)
    h, _ = rnn(x)
    y = lin(h)
    return {"x_t": x[:, 0].shape, "y_hat_t": y[:, 0].shape, "h_t": h[:, 0].shape, "W_xh": rnn.weight_ih_l0.shape,
            "W_hh": rnn.weight_hh_l0.shape, "W_hy": lin.weight.shape, "b_h": rnn.bias_ih_l0.shape,
            "b_y": lin.bias.shape}


def canonical_shape(got) -> tuple | None:
    """The answer with its symbols replaced by ours (matched by name), or None if it is not a shape."""
    if not isinstance(got, (tuple, list)):
        return None
    out = []
    for entry in got:
        if isinstance(entry, bool):
            return None
        try:
            expr = sympy.sympify(entry, strict=True)
        except (sympy.SympifyError, TypeError):
            return None
        if not isinstance(expr, sympy.Expr):
            return None
        out.append(expr.xreplace({s: SYMBOLS.get(s.name, s) for s in expr.free_symbols}))
    return tuple(out)


def evaluate(shape: tuple, point: dict) -> tuple | None:
    values = []
    for expr in shape:
        v = expr.subs({SYMBOLS[k]: n for k, n in point.items()})
        if not v.is_number:
            return None
        values.append(v)
    return tuple(values)


def diagnose_shape(quantity: str, got: tuple, expected: tuple) -> str | None:
    if len(got) != len(expected):
        return "shape_bias" if quantity.startswith("b_") else None
    if sorted(map(str, got)) == sorted(map(str, expected)):
        return "shape_batch_axis" if quantity.endswith("_t") else "shape_orientation"
    # the output size: every entry right but the one that is D (y_hat_t's features, W_hy's rows, b_y's length)
    position = {"y_hat_t": 1, "W_hy": 0, "b_y": 0}.get(quantity)
    if position is not None and all((g != e) == (k == position) for k, (g, e) in enumerate(zip(got, expected))):
        return "shape_output_size"
    return None


def check_shape_answer(got, quantity: str, what: str, reference=None) -> None:
    """The answer is a tuple of sympy expressions in B, H, D; at several sizes it must equal the shapes of
    real torch objects (and, in the hidden test, be sympy-equal to the reference's)."""
    shape = canonical_shape(got)
    if shape is None:
        raise Mismatch(f"{what}\n  got: {got!r}\n  a shape here is a tuple of sympy expressions in B, H, D, "
                       "e.g. (B, H), and (H,) for a vector")
    names = {s.name for e in shape for s in e.free_symbols}
    if not names <= set(SYMBOLS):
        raise Mismatch(f"{what}\n  got: {got!r}\n  uses the symbols {sorted(names - set(SYMBOLS))}; "
                       "use only B, H and D (defined at the top of the module)")
    if not names:
        raise Mismatch(f"{what}\n  got: {got!r}\n  write the shape with the symbols B, H, D, not numbers")
    for point in POINTS:
        expected = tuple(torch_shapes(**point)[quantity])
        values = evaluate(shape, point)
        if values is None or len(values) != len(expected) or any(v != e for v, e in zip(values, expected)):
            # name the sizes by symbol so that the expected shape, read at distinct sizes, says nothing more
            # than what the convention in the text says
            wrong = diagnose_shape(quantity, values or (), expected)
            fail(f"{what} is not the shape of {quantity} under this exercise's conventions "
                 f"(checked at {', '.join(f'{k}={v}' for k, v in point.items())})",
                 got, reveal=False, hint=wrong, hints=HINTS)
    if reference is not None:
        ref = canonical_shape(reference)
        if len(ref) != len(shape) or not all(sympy_equivalent(a, b) for a, b in zip(shape, ref)):
            fail(f"{what} is not the expected shape", got, reveal=False)


# ---------------------------------------------------------------- Part 3: BPTT oracle (autograd) and variants
class _TanhWithState(torch.autograd.Function):
    """tanh whose backward uses 1 - s**2 for a given state s (a grader-side wrong variant)."""

    @staticmethod
    def forward(ctx, a, s):
        ctx.save_for_backward(s)
        return torch.tanh(a)

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return grad * (1 - s ** 2), None


def autograd_bptt(arrays: dict, *, recurrent: bool = True, tanh_state: str | None = None,
                  last_loss_only: bool = False, first_prev_last: bool = False) -> dict:
    """Gradients by autograd (float64), with every parameter copied per time step so that each step's
    contribution is known. Returns {"sum": grads, "steps": [grads of step 1, ..., step T]}; the options
    compute known wrong variants (one path cut, the tanh derivative at another state, only L_T, W_hh's
    gradient at the first step taken with h_T in place of h0, the forward pass unchanged)."""
    t64 = {k: torch.from_numpy(np.asarray(v, dtype=np.float64)) for k, v in arrays.items()}
    x, h0, dy = t64["x"], t64["h0"], t64["dL_dy_hat"]
    steps = x.shape[1]
    names = ("W_hy", "b_y", "W_hh", "W_xh", "b_h")
    per = [{n: t64[n].clone().requires_grad_() for n in names} for _ in range(steps)]
    with torch.no_grad():  # the true states, for the wrong-state variant
        states, h_t = [h0], h0
        for t in range(steps):
            h_t = torch.tanh(x[:, t] @ t64["W_xh"].T + h_t @ t64["W_hh"].T + t64["b_h"])
            states.append(h_t)
    h_t, loss = h0, 0
    for t, p in enumerate(per):
        h_in = h_t if recurrent else h_t.detach()
        a = x[:, t] @ p["W_xh"].T + h_in @ p["W_hh"].T + p["b_h"]
        if first_prev_last and t == 0:   # adds 0 to a, and (dL/da)^T (h_T - h0) to W_hh's gradient
            a = a + (states[-1] - h_in).detach() @ (p["W_hh"] - p["W_hh"].detach()).T
        h_t = torch.tanh(a) if tanh_state is None else _TanhWithState.apply(a, states[t])
        y = h_t @ p["W_hy"].T + p["b_y"]
        if not last_loss_only or t == steps - 1:
            loss = loss + (y * dy[:, t]).sum()
    loss.backward()
    step_grads = [{n: (torch.zeros_like(p[n]) if p[n].grad is None else p[n].grad).detach().numpy() for n in names}
                  for p in per]
    return {"sum": {n: sum(g[n] for g in step_grads) for n in names}, "steps": step_grads}


def bptt_variants(arrays: dict) -> list[tuple[str, dict]]:
    right = autograd_bptt(arrays)
    steps = right["steps"]
    out = [("recurrent_dropped", autograd_bptt(arrays, recurrent=False)["sum"]),
           ("tanh_wrong_step", autograd_bptt(arrays, tanh_state="previous")["sum"]),
           ("time_sum_missing", autograd_bptt(arrays, last_loss_only=True)["sum"]),
           ("time_sum_missing", steps[0]), ("time_sum_missing", steps[-1]),
           ("time_sum_missing", {n: v / len(steps) for n, v in right["sum"].items()}),
           ("h0_first_step", autograd_bptt(arrays, first_prev_last=True)["sum"])]
    return out


GRAD_NAMES = ("W_hy", "b_y", "W_hh", "W_xh", "b_h")


def make_arrays(s: dict) -> dict:
    """Float64 NumPy inputs of bptt_gradients (h0 always given)."""
    data = make_data(dict(s, h0=True), dtype=torch.float64)
    return dict(x=data["x"].numpy(), h0=data["h0"].numpy(), W_xh=data["W_xh"].numpy(), W_hh=data["W_hh"].numpy(),
                b_h=data["b_h"].numpy(), W_hy=data["W_hy"].numpy(), b_y=data["b_y"].numpy(),
                dL_dy_hat=data["grad_y"].numpy())


ARG_ORDER = ("x", "h0", "W_xh", "W_hh", "b_h", "W_hy", "b_y")


def _np_close(a, b) -> bool:
    rtol, atol = TOLERANCES["float64"]
    return isinstance(a, np.ndarray) and a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def matching_bptt(got, arrays: dict, expected: dict) -> list[str]:
    """The hints of every known wrong variant that reproduces all five of the student's gradients on this
    input (and differs from the right gradients there)."""
    found = []
    if not (isinstance(got, (tuple, list)) and len(got) == 5):
        return found
    for hint, v in bptt_variants(arrays):
        if hint in found or all(_np_close(v[n], expected[n]) for n in GRAD_NAMES):
            continue
        if all(_np_close(g, v[n]) for g, n in zip(got, GRAD_NAMES)):
            found.append(hint)
    return found


# Settings bptt_gradients is rerun on to confirm a cause: several steps and examples, distinct sizes.
BPTT_PROBES = [setting(batch=2, steps=3, input_size=2, hidden_size=3, output_size=2, seed=201),
               setting(batch=3, steps=2, input_size=3, hidden_size=2, output_size=1, seed=202)]


def diagnose_bptt(got, arrays: dict, expected: dict, rerun=None) -> str | None:
    """The hint of the one known mistake that gives all of the student's gradients here and, with
    ``rerun(arrays)`` (the student's gradients on other arrays), on every probe setting too; else None."""
    from autograder.errors import GradingAbort

    found = matching_bptt(got, arrays, expected)
    if found and rerun is not None:
        for s2 in BPTT_PROBES:
            arrays2 = make_arrays(s2)
            try:
                got2 = rerun(arrays2)
            except (Exception, GradingAbort):
                return None
            expected2 = autograd_bptt(arrays2)["sum"]
            if isinstance(got2, (tuple, list)) and len(got2) == 5 and all(
                    _np_close(g, expected2[n]) for g, n in zip(got2, GRAD_NAMES)):
                continue
            here = matching_bptt(got2, arrays2, expected2)
            found = [h for h in found if h in here]
    return found[0] if len(found) == 1 else None


def rerun_bptt(sub):
    return lambda arrays2: call_bptt(sub, arrays2)


def check_bptt(got, arrays: dict, what: str, expected: dict | None = None, reveal: bool = True,
               rerun=None) -> None:
    """Five NumPy gradients in the order (W_hy, b_y, W_hh, W_xh, b_h), each equal to autograd's."""
    source = "torch autograd"
    if expected is None:
        expected = autograd_bptt(arrays)["sum"]
    else:
        source = "the reference"
    if not (isinstance(got, (tuple, list)) and len(got) == 5):
        raise Mismatch(f"{what}\n  expected: a tuple of 5 arrays (dL/dW_hy, dL/db_y, dL/dW_hh, dL/dW_xh, dL/db_h)\n"
                       f"  got:      {type(got).__name__}" + (f" of length {len(got)}"
                                                              if isinstance(got, (tuple, list)) else ""))
    for name, value in zip(GRAD_NAMES, got):
        if not isinstance(value, np.ndarray):
            raise Mismatch(f"{what}\n  dL/d{name} is a {type(value).__name__}" + hint_text("not_numpy", HINTS))
    hint = None
    for name, value in zip(GRAD_NAMES, got):
        if _np_close(value, expected[name]):
            continue
        if hint is None:
            hint = diagnose_bptt(got, arrays, expected, rerun) or ""
        assert_close(value, expected[name], f"{what}\n  dL/d{name}, compared with {source}:", reveal=reveal,
                     hint=hint or None, hints=HINTS)


def call_bptt(sub, arrays: dict):
    """The student's bptt_gradients, run with torch's constructors and autograd switched off (the rule)."""
    return run_without(sub, TORCH_CALLS, RULE_NUMPY, sub, "bptt_gradients", *(arrays[k] for k in ARG_ORDER),
                       arrays["dL_dy_hat"], ops=[ANY_TORCH])


def bptt_what(s: dict) -> str:
    return (f"bptt_gradients on B={s['batch']}, T={s['steps']}, D={s['input_size']}, H={s['hidden_size']}, "
            f"O={s['output_size']} (float64)")


def check_rule(sub, s: dict) -> None:
    """The NumPy functions run with torch's constructors and autograd switched off, name none of them, and
    give the right gradients (the rule is credited only together with a working function)."""
    arrays = make_arrays(s)
    got = call_bptt(sub, arrays)
    run_without(sub, TORCH_CALLS, RULE_NUMPY, sub, "rnn_forward_numpy", *(arrays[k] for k in ARG_ORDER), ops=[ANY_TORCH])
    check_source(sub, TORCH_NAMES, RULE_NUMPY, roots=NUMPY_FUNCS)   # and every module-level name they reach
    check_bptt(got, arrays, bptt_what(s) + "\n  (the rule is credited only when the gradients are right)",
               rerun=rerun_bptt(sub))


__all__ = ["F", "Mismatch"]
