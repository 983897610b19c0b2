"""Shared by the public and hidden lstm tests: hints, strategies, torch oracles, probes, diagnosis.

The oracles are ``nn.LSTMCell`` and ``nn.LSTM`` (batch_first) with the grader's weights, and autograd
through them. The probes (``run_cell``, ``run_layer``, ``parameter_report``) run next to the student's
code (in the worker when grading on Gradescope).
"""
from __future__ import annotations

import itertools

import torch
from hypothesis import strategies as st
from torch import nn

from autograder.checks import TOLERANCES, check_init, Mismatch, assert_close, exceeds, hint_text

EXERCISE = "lstm"

HINTS = {
    "gate_order": "the gates are read from the wrong blocks of rows: PyTorch (and this exercise) packs them "
                  "in the order i, f, g, o (input gate, forget gate, candidate memory, output gate), not in "
                  "the order the problem lists them. Rows 0:H are the input gate, H:2H the forget gate, "
                  "2H:3H the candidate, 3H:4H the output gate.",
    "forget_wrong_state": "the forget gate scales the previous long-term memory: C_t = F_t * C_{t-1} + "
                          "I_t * C~_t. It multiplies C_{t-1}, not h_{t-1}.",
    "output_uses_c": "the hidden state squashes the cell state first: h_t = O_t * tanh(C_t), not O_t * C_t.",
    "candidate_sigmoid": "the candidate memory uses tanh, C~_t = tanh(...), so it can be negative; the three "
                         "gates use the sigmoid.",
    "state_not_carried": "every step must start from the state (h, C) the previous step produced; only the "
                         "first step starts from the initial state.",
    "final_state": "the final state is (h_T, C_T) after the last step, each of shape (B, H): the last hidden "
                   "state and the last cell state, in that order.",
    "not_differentiable": "autograd could not reach this parameter or the input: build the outputs from torch "
                          "operations on the inputs and the parameters (no .detach(), .data, .item(), numpy or "
                          "torch.no_grad() in forward).",
    "input_forget_swapped": "your results are those of an LSTM with the input and forget gates exchanged, "
                            "C_t = I_t * C_{t-1} + F_t * C~_t. Either the first two blocks of rows are read in the "
                            "problem's order (F first) instead of PyTorch's i, f, g, o (rows 0:H are the input "
                            "gate, H:2H the forget gate), or the two gates multiply the wrong terms: "
                            "C_t = F_t * C_{t-1} + I_t * C~_t.",
    "c0_ignored": "your states are those of a run that starts from C_0 = 0 although an initial state (h_0, C_0) was "
                  "given: the first step starts from both h_0 and C_0 (zeros only when the state is None).",
    "state_swapped": "your results are those of a cell that reads its state the wrong way round: the state is the "
                     "pair (h, C), hidden state first (h_prev, c_prev = state), and the cell returns (h_t, C_t) in "
                     "the same order.",
    "state_detached": "your gradients are those of a graph cut between time steps: the state (h, C) handed from "
                      "one step to the next is detached (.detach(), .data, a copy or torch.no_grad), so no gradient "
                      "flows back through time. Keep the state in the graph.",
    "init": "initialise every parameter uniformly in [-1/sqrt(H), 1/sqrt(H)], H the hidden size (as nn.LSTM does, "
            "e.g. tensor.uniform_(-k, k) with k = 1/sqrt(H)): random, so that the hidden units differ, and small, "
            "so that the gates do not saturate.",
}


# ---------------------------------------------------------------- settings and data
@st.composite
def lstm_settings(draw, max_batch=3, max_steps=4, max_input=3, max_hidden=4):
    return dict(batch=draw(st.integers(1, max_batch), label="B"),
                steps=draw(st.integers(1, max_steps), label="T"),
                input_size=draw(st.integers(1, max_input), label="D"),
                hidden_size=draw(st.integers(1, max_hidden), label="H"),
                state=draw(st.booleans(), label="initial state given"),
                seed=draw(st.integers(0, 2**16), label="seed"))


def setting(batch, steps, input_size, hidden_size, state=True, seed=0, scale=1) -> dict:
    """A pinned setting; ``scale`` multiplies the input x (large values saturate the gates)."""
    out = dict(batch=batch, steps=steps, input_size=input_size, hidden_size=hidden_size, state=state, seed=seed)
    if scale != 1:
        out["scale"] = scale
    return out


def describe(s: dict) -> str:
    return (f"B={s['batch']}, T={s['steps']}, D={s['input_size']}, H={s['hidden_size']}, "
            f"initial state={'given' if s['state'] else 'None'}"
            + (f", x with standard deviation {s['scale']}" if s.get("scale", 1) != 1 else ""))


def make_data(s: dict) -> dict:
    """nn.LSTM-style packed weights (two biases), input, initial state and upstream gradients."""
    g = torch.Generator().manual_seed(s["seed"])
    b, t, d, h = s["batch"], s["steps"], s["input_size"], s["hidden_size"]

    def u(*shape):  # uniform in [-1, 1]: gates well away from 1/2 and tanh far from linear
        return torch.rand(*shape, generator=g) * 2 - 1

    data = dict(weight_ih=u(4 * h, d), weight_hh=u(4 * h, h), bias_ih=u(4 * h), bias_hh=u(4 * h),
                x=torch.randn(b, t, d, generator=g) * s.get("scale", 1),
                h0=u(b, h) if s["state"] else None, c0=(2 * u(b, h)) if s["state"] else None,
                grad_h=torch.randn(b, t, h, generator=g), grad_hT=torch.randn(b, h, generator=g),
                grad_cT=torch.randn(b, h, generator=g))
    data["bias"] = data["bias_ih"] + data["bias_hh"]
    return data


def student_params(data: dict) -> dict:
    return {k: data[k] for k in ("weight_ih", "weight_hh", "bias")}


def initial_state(data: dict) -> tuple[torch.Tensor, torch.Tensor]:
    if data["h0"] is not None:
        return data["h0"], data["c0"]
    zeros = torch.zeros(data["x"].shape[0], data["weight_hh"].shape[1])
    return zeros, zeros


# ---------------------------------------------------------------- torch oracles
def _copy(module, data, suffix=""):
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(module, name + suffix).copy_(data[name])


def torch_lstm(data: dict, grads: bool) -> dict:
    """nn.LSTM(batch_first=True) with the data's weights; autograd for the gradients."""
    h_size = data["weight_hh"].shape[1]
    lstm = nn.LSTM(data["weight_ih"].shape[1], h_size, batch_first=True)
    _copy(lstm, data, "_l0")
    x = data["x"].clone().requires_grad_(grads)
    state = None
    if data["h0"] is not None:
        state = tuple(v.clone().requires_grad_(grads) for v in (data["h0"], data["c0"]))
    h, (h_n, c_n) = lstm(x, None if state is None else (state[0][None], state[1][None]))
    out = {"h": h.detach(), "h_T": h_n[0].detach(), "c_T": c_n[0].detach()}
    if grads:
        ((h * data["grad_h"]).sum() + (h_n[0] * data["grad_hT"]).sum() + (c_n[0] * data["grad_cT"]).sum()).backward()
        out.update(x=x.grad, h0=None if state is None else state[0].grad, c0=None if state is None else state[1].grad,
                   weight_ih=lstm.weight_ih_l0.grad, weight_hh=lstm.weight_hh_l0.grad, bias=lstm.bias_ih_l0.grad)
    return out


def torch_cell(data: dict, grads: bool) -> dict:
    """nn.LSTMCell on the first step of the data."""
    cell = nn.LSTMCell(data["weight_ih"].shape[1], data["weight_hh"].shape[1])
    _copy(cell, data)
    x = data["x"][:, 0].clone().requires_grad_(grads)
    h_prev, c_prev = (v.clone().requires_grad_(grads) for v in initial_state(data))
    h, c = cell(x, (h_prev, c_prev))
    out = {"h": h.detach(), "c": c.detach()}
    if grads:
        ((h * data["grad_h"][:, 0]).sum() + (c * data["grad_cT"]).sum()).backward()
        out.update(x=x.grad, h_prev=h_prev.grad, c_prev=c_prev.grad, weight_ih=cell.weight_ih.grad,
                   weight_hh=cell.weight_hh.grad, bias=cell.bias_ih.grad)
    return out


def reference_layer(module, data: dict, grads: bool) -> dict:
    """The hidden tests' oracle: the reference LSTMLayer with the same weights."""
    layer = module.LSTMLayer(data["weight_ih"].shape[1], data["weight_hh"].shape[1])
    return run_layer(layer, student_params(data), data["x"], data["h0"], data["c0"],
                     *((data["grad_h"], data["grad_hT"], data["grad_cT"]) if grads else (None, None, None)))


# ---------------------------------------------------------------- probes (run beside the student's code)
def _get(obj, dotted: str):
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return obj


def load_params(module, params: dict, prefix: str) -> str | None:
    """Copy the grader's values into ``<prefix>weight_ih`` etc.; a problem text, or None."""
    for name, value in params.items():
        p = _get(module, prefix + name)
        if not isinstance(p, nn.Parameter):
            return f"{prefix}{name} should be an nn.Parameter of shape {tuple(value.shape)}, got {type(p).__name__}"
        if tuple(p.shape) != tuple(value.shape):
            return f"{prefix}{name} has shape {tuple(p.shape)}; expected {tuple(value.shape)}"
    with torch.no_grad():
        for name, value in params.items():
            _get(module, prefix + name).copy_(value)
    return None


def _pair_problem(result, what: str) -> str | None:
    if isinstance(result, (tuple, list)) and len(result) == 2 and all(isinstance(r, torch.Tensor) for r in result):
        return None
    return f"{what} should be a pair of tensors; got {type(result).__name__}" + (
        f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")


def run_cell(cell, params: dict, x_t, h_prev, c_prev, grad_h=None, grad_c=None) -> dict:
    """Probe: load the weights into the student's cell, run one step; with the gradients, backpropagate
    sum(h_t * grad_h) + sum(c_t * grad_c)."""
    problem = load_params(cell, params, "")
    if problem:
        return {"problem": problem}
    grads = grad_h is not None
    for p in cell.parameters():
        p.grad = None
    x_t, h_prev, c_prev = (v.clone().requires_grad_(grads) for v in (x_t, h_prev, c_prev))
    result = cell(x_t, (h_prev, c_prev))
    problem = _pair_problem(result, "the cell's result (h_t, c_t)")
    if problem:
        return {"problem": problem}
    h, c = result
    out = {"h": h.detach().clone(), "c": c.detach().clone()}
    if not grads or h.shape != grad_h.shape or c.shape != grad_c.shape:
        return out
    if not (h.requires_grad and c.requires_grad):
        return {**out, "no_graph": True}
    ((h * grad_h).sum() + (c * grad_c).sum()).backward()
    return {**out, "x": x_t.grad, "h_prev": h_prev.grad, "c_prev": c_prev.grad,
            **{name: _get(cell, name).grad for name in params}}


run_cell.describes = "LSTMCell.forward"


def run_layer(layer, params: dict, x, h0, c0, grad_h=None, grad_hT=None, grad_cT=None) -> dict:
    """Probe: load the weights into ``layer.cell``, run the layer; with the gradients, backpropagate
    sum(h * grad_h) + sum(h_T * grad_hT) + sum(c_T * grad_cT)."""
    problem = load_params(layer, params, "cell.")
    if problem:
        return {"problem": problem}
    grads = grad_h is not None
    for p in layer.parameters():
        p.grad = None
    x = x.clone().requires_grad_(grads)
    state = None if h0 is None else tuple(v.clone().requires_grad_(grads) for v in (h0, c0))
    result = layer(x) if state is None else layer(x, state)
    if not (isinstance(result, (tuple, list)) and len(result) == 2 and isinstance(result[0], torch.Tensor)):
        return {"problem": "the layer should return (h, (h_T, c_T)), h a tensor of shape (B, T, H)"}
    problem = _pair_problem(result[1], "the final state (h_T, c_T)")
    if problem:
        return {"problem": problem}
    h, (h_T, c_T) = result
    out = {"h": h.detach().clone(), "h_T": h_T.detach().clone(), "c_T": c_T.detach().clone()}
    if not grads or h.shape != grad_h.shape or h_T.shape != grad_hT.shape or c_T.shape != grad_cT.shape:
        return out
    if not (h.requires_grad and h_T.requires_grad and c_T.requires_grad):
        return {**out, "no_graph": True}
    ((h * grad_h).sum() + (h_T * grad_hT).sum() + (c_T * grad_cT).sum()).backward()
    return {**out, "x": x.grad, "h0": None if state is None else state[0].grad,
            "c0": None if state is None else state[1].grad,
            **{name: _get(layer, "cell." + name).grad for name in params}}


run_layer.describes = "LSTMLayer.forward"


def parameter_report(module) -> dict:
    """Probe: the module's parameters, name -> shape."""
    return {name: list(p.shape) for name, p in module.named_parameters()}


def parameter_values(module) -> dict:
    """Probe: the module's parameters as constructed, name -> values."""
    return {name: p.detach().clone() for name, p in module.named_parameters()}


def check_initialisation(values, hidden_size: int, what: str) -> None:
    """The parameters as constructed, checked loosely (see autograder.checks.check_initialisation)."""
    check_init(values, hidden_size, what, hint_text("init", HINTS))


# ---------------------------------------------------------------- misconceptions
ORDER = "ifgo"


def _permuted(data: dict, order: str) -> dict:
    """The weights with their gate blocks read in ``order`` (a permutation of "ifgo") instead of i, f, g, o."""
    h = data["weight_hh"].shape[1]
    index = torch.cat([torch.arange(ORDER.index(k) * h, (ORDER.index(k) + 1) * h) for k in order])
    return dict(data, **{k: data[k][index] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")})


def _variant_loop(data: dict, mistake: str) -> dict:
    """The layer with one known mistake (a grader-side wrong variant, never the oracle)."""
    h0, c0 = initial_state(data)
    if mistake == "c0_ignored":
        c0 = torch.zeros_like(c0)
    h_t, c_t, hs = h0, c0, []
    for t in range(data["x"].shape[1]):
        h_in, c_in = (h0, c0) if mistake == "state_not_carried" else (h_t, c_t)
        if mistake == "state_swapped":   # the cell reads (c, h) from the pair (h, c)
            h_in, c_in = c_in, h_in
        gates = data["x"][:, t] @ data["weight_ih"].T + h_in @ data["weight_hh"].T + data["bias"]
        i, f, g, o = gates.chunk(4, dim=1)
        i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
        g = torch.sigmoid(g) if mistake == "candidate_sigmoid" else torch.tanh(g)
        if mistake == "forget_on_h":
            c_t = f * h_in + i * g
        elif mistake == "forget_on_candidate":
            c_t = f * g + i * c_in
        else:
            c_t = f * c_in + i * g
        h_t = o * (c_t if mistake == "output_uses_c" else torch.tanh(c_t))
        hs.append(h_t)
    return {"h": torch.stack(hs, 1), "h_T": h_t, "c_T": c_t, "c": c_t}


# The hint of each reading order of the four blocks; "figo" (the problem's order) is the same function as
# an LSTM whose forget gate multiplies the candidate and input gate the old memory.
def _order_hint(order: str) -> str:
    return "input_forget_swapped" if order == "figo" else "gate_order"


# The mistakes a single step (LSTMCell) can show; the others need a loop over time or a final state.
LAYER_ONLY = ("state_not_carried", "c0_ignored", "final_state")


def variants(data: dict) -> list[tuple[str, dict]]:
    out = []
    for order in itertools.permutations(ORDER):
        order = "".join(order)
        if order != ORDER:
            out.append((_order_hint(order), torch_lstm(_permuted(data, order), grads=False)))
    for mistake, hint in (("forget_on_h", "forget_wrong_state"), ("forget_on_candidate", "input_forget_swapped"),
                          ("output_uses_c", "output_uses_c"), ("candidate_sigmoid", "candidate_sigmoid"),
                          ("state_not_carried", "state_not_carried"), ("c0_ignored", "c0_ignored"),
                          ("state_swapped", "state_swapped")):
        out.append((hint, _variant_loop(data, mistake)))
    right = _variant_loop(data, "none")
    out.append(("final_state", {"h_T": right["c_T"], "c_T": right["h_T"]}))
    return out


def close(got, expected, rtol=1e-5, atol=1e-5) -> bool:
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return False
    return bool(torch.allclose(got.double(), expected.double(), rtol=rtol, atol=atol, equal_nan=True))


def matching(got: dict, expected: dict, data: dict, key: str) -> list[str]:
    """The hints of every known mistake whose result reproduces the student's ``key`` output on this input (and
    differs from the right one there). A 2-D "h" and "c" are the cell's one step (``data`` has T = 1)."""
    value = got.get(key) if isinstance(got, dict) else None
    if not isinstance(value, torch.Tensor):
        return []
    cell = key == "c" or (key == "h" and value.dim() == 2)
    found = []
    for hint, variant in variants(data):
        if cell and hint in LAYER_ONLY:
            continue
        v = variant.get("c_T" if key == "c" else key)
        if v is not None and cell and key == "h":
            v = v[:, 0]
        if v is not None and not close(v, expected[key], atol=1e-4) and close(value, v, atol=1e-4) \
                and hint not in found:
            found.append(hint)
    return found


# Settings the student's code is rerun on to confirm a cause: an initial state given, several steps and
# examples, every size above 1.
PROBE_SETTINGS = [setting(batch=2, steps=3, input_size=3, hidden_size=2, state=True, seed=101),
                  setting(batch=3, steps=2, input_size=2, hidden_size=3, state=True, seed=102)]


def diagnose(got: dict, expected: dict, data: dict, key: str, rerun=None) -> str | None:
    """The hint of the one known mistake that explains the student's ``key`` output on this input and, with
    ``rerun(setting)`` -> (the student's results, the right ones, the data the variants use) on another
    setting, on every probe setting too; else None (the comparison's "observed" line still says what
    differs)."""
    from autograder.errors import GradingAbort

    found = matching(got, expected, data, key)
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
            here = matching(got2, expected2, data2, key)
            found = [h for h in found if h in here]
    return found[0] if len(found) == 1 else None


def rerun_layer(sub):
    """``rerun`` for :func:`diagnose`: the student's LSTMLayer on another setting (no gradients)."""
    def run(s2: dict):
        data2 = make_data(s2)
        layer = sub.LSTMLayer(s2["input_size"], s2["hidden_size"])
        got = sub.run_probe(run_layer, layer, student_params(data2), data2["x"], data2["h0"], data2["c0"])
        return got, torch_lstm(data2, grads=False), data2
    return run


def rerun_cell(sub):
    """``rerun`` for :func:`diagnose`: the student's LSTMCell on the first step of another setting."""
    def run(s2: dict):
        data2 = make_data(s2)
        cell = sub.LSTMCell(s2["input_size"], s2["hidden_size"])
        got = sub.run_probe(run_cell, cell, student_params(data2), data2["x"][:, 0], *initial_state(data2))
        return got, torch_cell(data2, grads=False), dict(data2, x=data2["x"][:, :1])
    return run


def grad_tolerance(expected: torch.Tensor) -> tuple[float, float]:
    """Gradients are sums over the batch, the time steps and four gates, added in another order than
    PyTorch's fused kernels; float32 rounding grows with the size of the sums, so the absolute tolerance
    scales with the largest entry."""
    scale = float(expected.abs().max()) if expected.numel() else 1.0
    return 1e-5, 1e-5 * max(1.0, scale)


GRAD_KEYS = ("x", "h0", "c0", "weight_ih", "weight_hh", "bias")


def detached_grads(data: dict, cut: str) -> dict:
    """The layer's gradients by autograd when the state is detached between steps (``cut`` "h" or "hc": which
    parts of it); a grader-side wrong variant, never the oracle. The loss is the probe's."""
    p = {k: data[k].clone().requires_grad_() for k in ("weight_ih", "weight_hh", "bias")}
    x = data["x"].clone().requires_grad_()
    given = data["h0"] is not None
    h_t, c_t = (data[k].clone().requires_grad_() for k in ("h0", "c0")) if given else initial_state(data)
    start, hs = (h_t, c_t), []
    for t in range(x.shape[1]):
        if t > 0:
            h_t, c_t = h_t.detach(), (c_t.detach() if cut == "hc" else c_t)
        i, f, g, o = (x[:, t] @ p["weight_ih"].T + h_t @ p["weight_hh"].T + p["bias"]).chunk(4, dim=1)
        c_t = torch.sigmoid(f) * c_t + torch.sigmoid(i) * torch.tanh(g)
        h_t = torch.sigmoid(o) * torch.tanh(c_t)
        hs.append(h_t)
    h = torch.stack(hs, 1)
    ((h * data["grad_h"]).sum() + (h_t * data["grad_hT"]).sum() + (c_t * data["grad_cT"]).sum()).backward()
    return {"x": x.grad, "h0": start[0].grad if given else None, "c0": start[1].grad if given else None,
            **{k: v.grad for k, v in p.items()}}


def _grads_close(got: dict, want: dict) -> bool:
    return all(want.get(k) is None or close(got.get(k), want[k], *grad_tolerance(want[k])) for k in GRAD_KEYS)


def _detached_matches(got: dict, expected: dict, data: dict) -> bool:
    for cut in ("hc", "h"):
        wrong = detached_grads(data, cut)
        if not _grads_close(wrong, expected) and _grads_close(got, wrong):
            return True
    return False


def diagnose_grads(got: dict, expected: dict, data: dict, rerun) -> str | None:
    """"state_detached" when every gradient of the student's layer is that of a detached variant, here and on
    every probe setting (``rerun(setting)`` -> (the student's probe result with gradients, the right one,
    the data)); else None."""
    from autograder.errors import GradingAbort

    if not _detached_matches(got, expected, data):
        return None
    for s2 in PROBE_SETTINGS:
        try:
            got2, expected2, data2 = rerun(s2)
        except (Exception, GradingAbort):
            return None
        if not isinstance(got2, dict) or "problem" in got2 or got2.get("no_graph"):
            return None
        if not _grads_close(got2, expected2) and not _detached_matches(got2, expected2, data2):
            return None
    return "state_detached"


def rerun_layer_grads(sub):
    """``rerun`` for :func:`diagnose_grads`: the student's LSTMLayer on another setting, with gradients."""
    def run(s2: dict):
        data2 = make_data(s2)
        layer = sub.LSTMLayer(s2["input_size"], s2["hidden_size"])
        got = sub.run_probe(run_layer, layer, student_params(data2), data2["x"], data2["h0"], data2["c0"],
                            data2["grad_h"], data2["grad_hT"], data2["grad_cT"])
        return got, torch_lstm(data2, grads=True), data2
    return run


def compare(got: dict, expected: dict, data: dict, what: str, source: str, reveal: bool, keys, grad_keys,
            grad_source: str, rerun=None, grad_rerun=None) -> None:
    """``rerun`` confirms a hint on the outputs; ``grad_rerun`` (the layer's) one on the gradients."""
    if "problem" in got:
        raise Mismatch(f"{what}\n  {got['problem']}")
    for key, label in keys:
        rtol, atol = grad_tolerance(expected[key])
        if not close(got[key], expected[key], rtol, atol):
            assert_close(got[key], expected[key], f"{what}\n  {label}, compared with {source}:", reveal=reveal,
                         rtol=rtol, atol=atol, hint=diagnose(got, expected, data, key, rerun), hints=HINTS)
    if not grad_keys:
        return
    if got.get("no_graph"):
        raise Mismatch(f"{what}\n  the outputs do not require grad, so nothing can be backpropagated"
                       + hint_text("not_differentiable", HINTS))
    for key, label in grad_keys:
        if expected.get(key) is None:
            continue
        text = f"{what}\n  gradient with respect to {label}, compared with {grad_source}:"
        if got.get(key) is None:
            raise Mismatch(f"{text}\n  got: None (no gradient reached {label})" + hint_text("not_differentiable",
                                                                                          HINTS))
        rtol, atol = grad_tolerance(expected[key])
        hint = None
        if grad_rerun is not None and not close(got[key], expected[key], rtol, atol):
            hint = diagnose_grads(got, expected, data, grad_rerun)
        assert_close(got[key], expected[key], text, rtol=rtol, atol=atol, reveal=reveal, hint=hint, hints=HINTS)


LAYER_KEYS = [("h", "hidden states h_1..h_T"), ("h_T", "final hidden state h_T"), ("c_T", "final cell state C_T")]
LAYER_GRADS = [("x", "x"), ("h0", "h_0"), ("c0", "C_0"), ("weight_ih", "cell.weight_ih"),
               ("weight_hh", "cell.weight_hh"), ("bias", "cell.bias")]


def check_layer(sub, s: dict, *, grads: bool, oracle=None, reveal: bool = True) -> None:
    data = make_data(s)
    layer = sub.LSTMLayer(s["input_size"], s["hidden_size"])
    grad_args = (data["grad_h"], data["grad_hT"], data["grad_cT"]) if grads else (None, None, None)
    got = sub.run_probe(run_layer, layer, student_params(data), data["x"], data["h0"], data["c0"], *grad_args)
    what = f"LSTMLayer({s['input_size']}, {s['hidden_size']}) on {describe(s)}"
    source = "nn.LSTM (batch_first) with the same weights" if oracle is None else "the reference layer"
    expected = torch_lstm(data, grads) if oracle is None else oracle(data, grads)
    compare(got, expected, data, what, source, reveal, LAYER_KEYS, LAYER_GRADS if grads else [],
            "autograd through nn.LSTM" if oracle is None else source, rerun=rerun_layer(sub),
            grad_rerun=rerun_layer_grads(sub))


def check_cell(sub, s: dict) -> None:
    data = make_data(s)
    cell = sub.LSTMCell(s["input_size"], s["hidden_size"])
    h_prev, c_prev = initial_state(data)
    got = sub.run_probe(run_cell, cell, student_params(data), data["x"][:, 0], h_prev, c_prev, data["grad_h"][:, 0],
                        data["grad_cT"])
    what = (f"LSTMCell({s['input_size']}, {s['hidden_size']}) on x_t of shape {(s['batch'], s['input_size'])}, "
            f"state {'given' if s['state'] else 'zeros'}")
    compare(got, torch_cell(data, grads=True), dict(data, x=data["x"][:, :1]), what,
            "nn.LSTMCell with the same weights", True, [("h", "h_t"), ("c", "c_t")],
            [("x", "x_t"), ("h_prev", "h_prev"), ("c_prev", "c_prev"), ("weight_ih", "weight_ih"),
             ("weight_hh", "weight_hh"), ("bias", "bias")], "autograd through nn.LSTMCell", rerun=rerun_cell(sub))


__all__ = ["TOLERANCES"]
