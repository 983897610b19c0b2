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

from autograder.checks import TOLERANCES, Mismatch, assert_close, fail, hint_text, sympy_equivalent
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
    "shape_bias": "a bias is one vector shared by every example of the batch: a 1-tuple such as (H,).",
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


def setting(batch, steps, input_size, hidden_size, output_size, h0=True, seed=0) -> dict:
    return dict(batch=batch, steps=steps, input_size=input_size, hidden_size=hidden_size, output_size=output_size,
                h0=h0, seed=seed)


def describe(s: dict) -> str:
    return (f"B={s['batch']}, T={s['steps']}, D={s['input_size']}, H={s['hidden_size']}, O={s['output_size']}, "
            f"h0={'given' if s['h0'] else 'None'}")


def make_data(s: dict, dtype=torch.float32) -> dict:
    """Weights (torch's two hidden biases kept apart), input, h0 and upstream gradients from ``s["seed"]``."""
    g = torch.Generator().manual_seed(s["seed"])
    b, t, d, h, o = s["batch"], s["steps"], s["input_size"], s["hidden_size"], s["output_size"]

    def u(*shape):  # uniform in [-1, 1]: big enough that tanh is far from linear
        return (torch.rand(*shape, generator=g, dtype=torch.float64) * 2 - 1).to(dtype)

    data = dict(W_xh=u(h, d), W_hh=u(h, h), b_ih=u(h), b_hh=u(h), W_hy=u(o, h), b_y=u(o),
                x=torch.randn(b, t, d, generator=g, dtype=torch.float64).to(dtype),
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


# ---------------------------------------------------------------- misconceptions of Part 1
def _loop(data, act=torch.tanh, carry=True, output_prev=False, transposed=False):
    """The layer computed with one known mistake (a grader-side variant, never the oracle)."""
    W_xh, W_hh = data["W_xh"], data["W_hh"]
    if transposed:
        W_hh = W_hh.T
        if W_xh.shape[0] == W_xh.shape[1]:
            W_xh = W_xh.T
    h0 = cell_h_prev(data)
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
           ("weights_transposed", _loop(data, transposed=True))]
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


def close(got, expected, rtol=None, atol=None) -> bool:
    rtol_d, atol_d = TOLERANCES[str(expected.dtype).removeprefix("torch.")]
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return False
    return bool(torch.allclose(got.double(), expected.double(), rtol=rtol or rtol_d, atol=atol or atol_d,
                               equal_nan=True))


def diagnose_layer(got: dict, expected: dict, data: dict, key: str) -> str | None:
    """The hint of a known mistake that explains the student's ``key`` output ("y" or "h"), or None."""
    for hint, variant in layer_variants(data):
        v = variant.get(key)
        if v is not None and not close(v, expected[key], atol=1e-4) and close(got.get(key), v, atol=1e-4):
            return hint
    return None


def grad_tolerance(expected: torch.Tensor) -> tuple[float, float]:
    """Gradients are sums over the batch and the time steps, added in another order than PyTorch's; float32
    rounding grows with the size of the sums, so the absolute tolerance scales with the largest entry."""
    scale = float(expected.abs().max()) if expected.numel() else 1.0
    return 1e-5, 1e-5 * max(1.0, scale)


def compare_outputs(got: dict, expected: dict, data: dict, what: str, source: str, reveal: bool,
                    keys=(("h", "hidden states h"), ("y", "outputs y_hat"))) -> None:
    if "problem" in got:
        raise Mismatch(f"{what}\n  {got['problem']}")
    for key, label in keys:
        if key in expected and not close(got[key], expected[key], *grad_tolerance(expected[key])):
            assert_close(got[key], expected[key], f"{what}\n  {label}, compared with {source}:", reveal=reveal,
                         rtol=1e-5, atol=1e-5, hint=diagnose_layer(got, expected, data, key), hints=HINTS)


def compare_grads(got: dict, expected: dict, names, what: str, source: str, reveal: bool) -> None:
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
        assert_close(got[key], expected[key], text, rtol=rtol, atol=atol, reveal=reveal)


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
    compare_outputs(got, expected, data, what, source, reveal)
    if grads:
        compare_grads(got, expected, LAYER_GRADS, what + "\n  backpropagating sum(y_hat * g_y) + sum(h * g_h)",
                      "autograd through nn.RNN" if oracle is None else source, reveal)


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
    if quantity == "y_hat_t" or quantity in ("W_hy", "b_y"):
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
                  last_loss_only: bool = False) -> dict:
    """Gradients by autograd (float64), with every parameter copied per time step so that each step's
    contribution is known. Returns {"sum": grads, "steps": [grads of step 1, ..., step T]}; the options
    compute known wrong variants (one path cut, the tanh derivative at another state, only L_T)."""
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
           ("time_sum_missing", {n: v / len(steps) for n, v in right["sum"].items()})]
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


def check_bptt(got, arrays: dict, what: str, expected: dict | None = None, reveal: bool = True) -> None:
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
    variants = None
    for name, value in zip(GRAD_NAMES, got):
        if not isinstance(value, np.ndarray):
            raise Mismatch(f"{what}\n  dL/d{name} is a {type(value).__name__}" + hint_text("not_numpy", HINTS))
        if _np_close(value, expected[name]):
            continue
        if variants is None:
            variants = bptt_variants(arrays)
        hint = next((h for h, v in variants if not _np_close(v[name], expected[name]) and _np_close(value, v[name])),
                    None)
        assert_close(value, expected[name], f"{what}\n  dL/d{name}, compared with {source}:", reveal=reveal,
                     hint=hint, hints=HINTS)


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
    check_bptt(got, arrays, bptt_what(s) + "\n  (the rule is credited only when the gradients are right)")


__all__ = ["F", "Mismatch"]
