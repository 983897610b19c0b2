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

from autograder.checks import TOLERANCES, Mismatch, assert_close, hint_text

EXERCISE = "lstm"

HINTS = {
    "gate_order": "the gates are read from the wrong blocks of rows: PyTorch (and this exercise) packs them "
                  "in the order i, f, g, o (input gate, forget gate, candidate memory, output gate), not in "
                  "the order the problem lists them. Rows 0:H are the input gate, H:2H the forget gate, "
                  "2H:3H the candidate, 3H:4H the output gate.",
    "forget_wrong_state": "the forget gate scales the previous long-term memory: C_t = F_t * C_{t-1} + "
                          "I_t * C~_t. It multiplies C_{t-1}, not h_{t-1} or the candidate.",
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


def setting(batch, steps, input_size, hidden_size, state=True, seed=0) -> dict:
    return dict(batch=batch, steps=steps, input_size=input_size, hidden_size=hidden_size, state=state, seed=seed)


def describe(s: dict) -> str:
    return (f"B={s['batch']}, T={s['steps']}, D={s['input_size']}, H={s['hidden_size']}, "
            f"initial state={'given' if s['state'] else 'None'}")


def make_data(s: dict) -> dict:
    """nn.LSTM-style packed weights (two biases), input, initial state and upstream gradients."""
    g = torch.Generator().manual_seed(s["seed"])
    b, t, d, h = s["batch"], s["steps"], s["input_size"], s["hidden_size"]

    def u(*shape):  # uniform in [-1, 1]: gates well away from 1/2 and tanh far from linear
        return torch.rand(*shape, generator=g) * 2 - 1

    data = dict(weight_ih=u(4 * h, d), weight_hh=u(4 * h, h), bias_ih=u(4 * h), bias_hh=u(4 * h),
                x=torch.randn(b, t, d, generator=g),
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
    h_t, c_t, hs = h0, c0, []
    for t in range(data["x"].shape[1]):
        h_in, c_in = (h0, c0) if mistake == "state_not_carried" else (h_t, c_t)
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


def variants(data: dict) -> list[tuple[str, dict]]:
    out = []
    for order in itertools.permutations(ORDER):
        order = "".join(order)
        if order != ORDER:
            out.append(("gate_order", torch_lstm(_permuted(data, order), grads=False)))
    for mistake, hint in (("forget_on_h", "forget_wrong_state"), ("forget_on_candidate", "forget_wrong_state"),
                          ("output_uses_c", "output_uses_c"), ("candidate_sigmoid", "candidate_sigmoid"),
                          ("state_not_carried", "state_not_carried")):
        out.append((hint, _variant_loop(data, mistake)))
    return out


def close(got, expected, rtol=1e-5, atol=1e-5) -> bool:
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return False
    return bool(torch.allclose(got.double(), expected.double(), rtol=rtol, atol=atol, equal_nan=True))


def diagnose(got: dict, expected: dict, data: dict, key: str) -> str | None:
    """The hint of a known mistake that explains the student's ``key`` output, or None."""
    value = got.get(key)
    if key in ("h_T", "c_T"):
        swapped = expected["c_T" if key == "h_T" else "h_T"]
        if close(value, swapped) and not close(swapped, expected[key]):
            return "final_state"
    for hint, variant in variants(data):
        v = variant.get("c_T" if key == "c" else key)
        if key == "h" and value is not None and value.dim() == 2:   # the cell's h_t: the first step
            v = variant["h"][:, 0]
        if key == "c" and data["x"].shape[1] > 1:
            continue
        if v is not None and not close(v, expected[key], atol=1e-4) and close(value, v, atol=1e-4):
            return hint
    return None


def grad_tolerance(expected: torch.Tensor) -> tuple[float, float]:
    """Gradients are sums over the batch, the time steps and four gates, added in another order than
    PyTorch's fused kernels; float32 rounding grows with the size of the sums, so the absolute tolerance
    scales with the largest entry."""
    scale = float(expected.abs().max()) if expected.numel() else 1.0
    return 1e-5, 1e-5 * max(1.0, scale)


def compare(got: dict, expected: dict, data: dict, what: str, source: str, reveal: bool, keys, grad_keys,
            grad_source: str) -> None:
    if "problem" in got:
        raise Mismatch(f"{what}\n  {got['problem']}")
    for key, label in keys:
        rtol, atol = grad_tolerance(expected[key])
        if not close(got[key], expected[key], rtol, atol):
            assert_close(got[key], expected[key], f"{what}\n  {label}, compared with {source}:", reveal=reveal,
                         rtol=rtol, atol=atol, hint=diagnose(got, expected, data, key), hints=HINTS)
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
        assert_close(got[key], expected[key], text, rtol=rtol, atol=atol, reveal=reveal)


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
            "autograd through nn.LSTM" if oracle is None else source)


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
             ("weight_hh", "weight_hh"), ("bias", "bias")], "autograd through nn.LSTMCell")


__all__ = ["TOLERANCES"]
