"""Shared by the public and hidden conv2d tests: hints, rules, strategies, oracles, probes, diagnosis.

The probes (``run_layer``, ``load_weights``, ``parameter_report``) run next to the student's code
(in the worker when grading on Gradescope); everything else runs in the grader.
"""
from __future__ import annotations

import math
import statistics

import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

from autograder.checks import TOLERANCES, Mismatch, assert_close, hint_text
from autograder.rules import check_source, run_without

EXERCISE = "conv2d"

HINTS = {
    "kernel_flipped": "your output equals a true convolution, with the kernel flipped upside down and left to "
                      "right. nn.Conv2d and F.conv2d compute a cross-correlation: out[i, j] uses "
                      "weight[a, b] * x_padded[i*stride + a, j*stride + b], without flipping the kernel.",
    "padding_one_side": "padding=p adds p zeros on every side: p_h rows at the top AND at the bottom, p_w columns "
                        "on the left AND on the right; your output matches padding on one side (or along one "
                        "axis) only.",
    "padding_swapped": "your output matches the H padding applied along W and the W padding along H: F.pad's "
                       "tuple starts with the LAST axis, (left, right, top, bottom) = (p_w, p_w, p_h, p_h).",
    "stride_wrong": "your output matches a stride of 1 along at least one axis where the stride is larger: "
                    "output position (i, j) reads the window that starts at row i*stride_h and column "
                    "j*stride_w of the padded input.",
    "stride_swapped": "your output matches the H stride used along W and the W stride along H: with "
                      "stride=(s_h, s_w), output row i starts at input row i*s_h and output column j at column "
                      "j*s_w.",
    "bias_missing": "your output is the convolution without its bias: add bias[o] to every output position of "
                    "output channel o.",
    "bias_wrong": "the bias is added more than once: every output value gets bias[o] exactly once, not once per "
                  "input channel or per kernel tap.",
    "output_size": "your output is the expected one without its last row and column of windows: along each "
                   "axis there are floor((size + 2*padding - kernel) / stride) + 1 windows; the + 1 counts the "
                   "first window.",
    "not_differentiable": "autograd could not reach this parameter or the input: build the output from torch "
                          "operations on x, self.weight and self.bias; .detach(), .data, .item(), numpy, "
                          "torch.no_grad() or copying values into a new tensor with torch.tensor(...) cut the "
                          "graph.",
    "init_like_nn_conv2d": "initialise the parameters like nn.Conv2d: weight (and bias) uniform in "
                           "[-1/sqrt(fan_in), 1/sqrt(fan_in)] with fan_in = in_channels * kernel_h * kernel_w, "
                           "e.g. with nn.init.kaiming_uniform_(weight, a=math.sqrt(5)); a zero bias is fine too.",
    "benchmark_setting": "benchmark(batch_size, repeats) times the problem's layer (1 input channel, 8 output "
                         "channels, a 3x3 kernel, stride 1, no padding, a bias) on one batch of batch_size "
                         "one-channel 28x28 images: use the arguments, not fixed numbers.",
    "benchmark_median": "your time is the mean of the timed runs; the task asks for their median "
                        "(statistics.median), which one slow run does not pull up.",
    "ratio_inverted": "a speed-up is a ratio of times, slow time / fast time: \"A is k times faster than B\" "
                      "means k = time_B / time_A, which is above 1 when A is the faster one.",
}

# ---------------------------------------------------------------- rules
RULE_CONV2D = ("Conv2d computes the convolution with its own loops: no built-in convolution "
               "(F.conv2d, torch.conv2d, nn.Conv2d, ...), no unfold (F.unfold, nn.Unfold, Tensor.unfold), "
               "no as_strided")
RULE_FASTER = ("FasterConv2d uses no built-in convolution (F.conv2d, torch.conv2d, nn.Conv2d, "
               "torch.convolution, ...); unfold and a matrix product are fine")

# Called at run time with these switched off (nn.Conv2d and nn.Unfold call F.conv2d / F.unfold).
CONV_CALLS = ["torch.nn.functional.conv2d", "torch.conv2d", "torch.nn.functional.conv1d", "torch.conv1d",
              "torch.nn.functional.conv3d", "torch.conv3d", "torch.nn.functional.conv_transpose2d",
              "torch.conv_transpose2d", "torch.convolution", "torch._convolution"]
PATCH_CALLS = ["torch.nn.functional.unfold", "torch.Tensor.unfold", "torch._C._nn.im2col", "torch.as_strided",
               "torch.Tensor.as_strided"]
# Read in the source of the class itself (names are matched by their last part).
CONV_NAMES = ["F.conv2d", "F.conv1d", "F.conv3d", "F.conv_transpose2d", "torch.convolution", "torch._convolution"]
PATCH_NAMES = ["F.unfold", "nn.Unfold", "torch.as_strided", "torch._C._nn.im2col"]


# ---------------------------------------------------------------- settings and data
def pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


@st.composite
def conv_settings(draw, max_batch=2, max_in=3, max_out=3, max_size=8, max_kernel=3, max_stride=2, max_padding=1,
                  pairs=None):
    """One layer and one input. ``pairs``: None draws ints or (H, W) pairs, True always pairs."""
    axes = []
    for axis in ("h", "w"):
        k = draw(st.integers(1, max_kernel), label=f"kernel_{axis}")
        s = draw(st.integers(1, max_stride), label=f"stride_{axis}")
        p = draw(st.integers(0, max_padding), label=f"padding_{axis}")
        axes.append((k, s, p))
    square = False if pairs else draw(st.booleans(), label="ints (the same along H and W)")
    if square:
        axes[1] = axes[0]
    sizes = [draw(st.integers(max(1, k - 2 * p), max(max_size, k - 2 * p)), label=f"size_{axis}")
             for (k, _, p), axis in zip(axes, "HW")]
    # Each of kernel_size, stride and padding is an int or a pair on its own (a call may mix them, e.g.
    # kernel_size=3, stride=(2, 1)); a value that differs along H and W is always a pair.
    form = []
    for i, name in enumerate(("kernel_size", "stride", "padding")):
        same = axes[0][i] == axes[1][i]
        as_int = same and not pairs and (square or draw(st.booleans(), label=f"{name} as one int"))
        form.append(axes[0][i] if as_int else (axes[0][i], axes[1][i]))
    return dict(batch=draw(st.integers(1, max_batch), label="batch"),
                in_channels=draw(st.integers(1, max_in), label="in_channels"),
                out_channels=draw(st.integers(1, max_out), label="out_channels"),
                kernel_size=form[0], stride=form[1], padding=form[2], bias=draw(st.booleans(), label="bias"),
                height=sizes[0], width=sizes[1], seed=draw(st.integers(0, 2**16), label="seed"))


def setting(batch, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, height=8, width=8,
            seed=0) -> dict:
    """A setting written by hand (for @example)."""
    return dict(batch=batch, in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size,
                stride=stride, padding=padding, bias=bias, height=height, width=width, seed=seed)


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def make_data(s: dict) -> dict:
    """Input, weight (scaled like nn.Conv2d's init), bias, and an upstream gradient, from ``s["seed"]``."""
    g = torch.Generator().manual_seed(s["seed"])
    (kh, kw), (sh, sw), (ph, pw) = pair(s["kernel_size"]), pair(s["stride"]), pair(s["padding"])
    bound = 1 / math.sqrt(s["in_channels"] * kh * kw)
    weight = (torch.rand(s["out_channels"], s["in_channels"], kh, kw, generator=g) * 2 - 1) * bound
    bias = (torch.rand(s["out_channels"], generator=g) * 2 - 1) if s["bias"] else None
    x = torch.randn(s["batch"], s["in_channels"], s["height"], s["width"], generator=g)
    out_shape = (s["batch"], s["out_channels"], output_size(s["height"], kh, sh, ph), output_size(s["width"], kw, sw, pw))
    return dict(x=x, weight=weight, bias=bias, grad_out=torch.randn(*out_shape, generator=g))


def construct(sub, cls: str, s: dict):
    """The student's layer (a handle), built like nn.Conv2d."""
    return getattr(sub, cls)(s["in_channels"], s["out_channels"], s["kernel_size"], stride=s["stride"],
                             padding=s["padding"], bias=s["bias"])


def describe(cls: str, s: dict) -> str:
    return (f"{cls}({s['in_channels']}, {s['out_channels']}, kernel_size={s['kernel_size']!r}, "
            f"stride={s['stride']!r}, padding={s['padding']!r}, bias={s['bias']}) on x of shape "
            f"{(s['batch'], s['in_channels'], s['height'], s['width'])}")


def torch_forward_backward(data: dict, s: dict, grads: bool) -> dict:
    """The oracle: F.conv2d, and autograd through it."""
    x = data["x"].clone().requires_grad_(grads)
    w = data["weight"].clone().requires_grad_(grads)
    b = data["bias"].clone().requires_grad_(grads) if data["bias"] is not None else None
    out = F.conv2d(x, w, b, pair(s["stride"]), pair(s["padding"]))
    result = {"out": out.detach()}
    if grads:
        out.backward(data["grad_out"])
        result.update(grad_input=x.grad, grad_weight=w.grad, grad_bias=None if b is None else b.grad)
    return result


def reference_forward_backward(module, cls: str, data: dict, s: dict, grads: bool) -> dict:
    """The hidden tests' oracle: the reference layer, with the same weights."""
    layer = getattr(module, cls)(s["in_channels"], s["out_channels"], s["kernel_size"], stride=s["stride"],
                                 padding=s["padding"], bias=s["bias"])
    return run_layer(layer, data["weight"], data["bias"], data["x"], data["grad_out"] if grads else None)


# ---------------------------------------------------------------- probes (run beside the student's code)
def parameter_problem(layer, weight_shape: tuple, has_bias: bool) -> str | None:
    weight = getattr(layer, "weight", None)
    if not isinstance(weight, nn.Parameter):
        return f"layer.weight should be an nn.Parameter of shape {weight_shape}, got {type(weight).__name__}"
    if tuple(weight.shape) != tuple(weight_shape):
        return (f"layer.weight has shape {tuple(weight.shape)}; expected (out_channels, in_channels, kernel_h, "
                f"kernel_w) = {tuple(weight_shape)}")
    bias = getattr(layer, "bias", None)
    if has_bias and not isinstance(bias, nn.Parameter):
        return f"layer.bias should be an nn.Parameter of shape ({weight_shape[0]},), got {type(bias).__name__}"
    if has_bias and tuple(bias.shape) != (weight_shape[0],):
        return f"layer.bias has shape {tuple(bias.shape)}; expected (out_channels,) = ({weight_shape[0]},)"
    if not has_bias and bias is not None:
        return "with bias=False the layer should have no bias: layer.bias should be None (as in nn.Conv2d)"
    return None


def load_weights(layer, weight, bias):
    """Probe: copy the grader's weight and bias into the student's layer; a problem text, or None."""
    problem = parameter_problem(layer, tuple(weight.shape), bias is not None)
    if problem is None:
        with torch.no_grad():
            layer.weight.copy_(weight)
            if bias is not None:
                layer.bias.copy_(bias)
    return problem


def run_layer(layer, weight, bias, x, grad_out=None) -> dict:
    """Probe: load the weights, run the layer on ``x``; with ``grad_out``, backpropagate it too."""
    problem = load_weights(layer, weight, bias)
    if problem:
        return {"problem": problem}
    for p in layer.parameters():
        p.grad = None
    x = x.clone().requires_grad_(grad_out is not None)
    out = layer(x)
    if not isinstance(out, torch.Tensor):
        return {"problem": f"the layer returned a {type(out).__name__}, not a tensor"}
    result = {"out": out.detach().clone()}
    if grad_out is None or tuple(out.shape) != tuple(grad_out.shape):
        return result
    if not out.requires_grad:
        result["no_graph"] = True
        return result
    out.backward(grad_out.to(out.dtype))
    result.update(grad_input=x.grad, grad_weight=layer.weight.grad,
                  grad_bias=None if bias is None else layer.bias.grad)
    return result


run_layer.describes = "forward"


def parameter_report(layer) -> dict:
    """Probe: the layer's parameters, name -> shape, whether ``layer.bias`` is None, and the initial
    values of ``weight`` and ``bias`` (the grader judges them)."""
    values = {}
    for name in ("weight", "bias"):
        p = getattr(layer, name, None)
        values[name] = p.detach().clone() if isinstance(p, torch.Tensor) else None
    return {"params": {name: list(p.shape) for name, p in layer.named_parameters()},
            "bias_is_none": getattr(layer, "bias", 0) is None, "initial": values}


def init_problem(initial: dict, fan_in: int) -> str | None:
    """Grader side: what is wrong with a freshly built layer's weight and bias values, or None.

    Accepted: finite values, a weight that is not constant (a constant weight makes every filter
    compute, and learn, the same thing), and a root mean square of at most 2/sqrt(fan_in) for each:
    nn.Conv2d's uniform init has 1/sqrt(3*fan_in), Kaiming's normal init sqrt(2/fan_in); an unscaled
    torch.randn or torch.rand is far above it once fan_in is more than a few."""
    limit = 2 / math.sqrt(fan_in)
    for name in ("weight", "bias"):
        t = initial.get(name)
        if not isinstance(t, torch.Tensor) or t.numel() == 0:
            continue
        t = t.double()
        if not bool(torch.isfinite(t).all()):
            return f"layer.{name} holds NaN or inf right after construction (was it left uninitialised?)"
        if name == "weight" and t.numel() > 1 and float(t.max()) == float(t.min()):
            return (f"every entry of layer.weight is {float(t.flatten()[0])!r} right after construction: with equal "
                    "weights every filter computes, and learns, the same thing")
        rms = float(t.pow(2).mean().sqrt())
        if rms > limit:
            return (f"right after construction the entries of layer.{name} have a root mean square of {rms:.3g}; "
                    f"with fan_in = {fan_in}, nn.Conv2d's are about {1 / math.sqrt(3 * fan_in):.3g} (uniform in "
                    f"+-{1 / math.sqrt(fan_in):.3g}); at most 2/sqrt(fan_in) = {limit:.3g} is accepted")
    return None


# ---------------------------------------------------------------- comparing and diagnosing
def _close(got, expected, rtol=None, atol=None) -> bool:
    rtol_d, atol_d = TOLERANCES["float32"]
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return False
    return bool(torch.allclose(got.double(), expected.double(), rtol=rtol or rtol_d, atol=atol or atol_d,
                               equal_nan=True))


def candidates(data: dict, s: dict) -> list[tuple[str, torch.Tensor]]:
    """What the known misconceptions compute on this input, as (hint id, output)."""
    x, w, b = data["x"], data["weight"], data["bias"]
    (sh, sw), (ph, pw) = pair(s["stride"]), pair(s["padding"])
    kh, kw = w.shape[2:]

    def conv(xx=x, ww=w, bb=b, stride=(sh, sw), padding=(ph, pw)):
        return F.conv2d(xx, ww, bb, stride, padding)

    out = [("kernel_flipped", lambda: conv(ww=w.flip(2, 3)))]
    for pad in ((pw, 0, ph, 0), (0, pw, 0, ph), (pw, pw, 0, 0), (0, 0, ph, ph)):
        out.append(("padding_one_side", lambda pad=pad: conv(xx=F.pad(x, pad), padding=0)))
    out.append(("padding_swapped", lambda: conv(xx=F.pad(x, (ph, ph, pw, pw)), padding=0)))
    for stride in ((1, 1), (sh, 1), (1, sw)):
        out.append(("stride_wrong", lambda stride=stride: conv(stride=stride)))
    out.append(("stride_swapped", lambda: conv(stride=(sw, sh))))
    out.append(("output_size", lambda: conv()[:, :, :-1, :-1]))
    if b is not None:
        out.append(("bias_missing", lambda: conv(bb=None)))
        for times in sorted({x.shape[1], kh * kw, x.shape[1] * kh * kw} - {1}):
            out.append(("bias_wrong", lambda times=times: conv(bb=None) + times * b.view(1, -1, 1, 1)))
    made = []
    for hint, make in out:
        try:
            made.append((hint, make()))
        except RuntimeError:  # this wrong variant cannot even run on this input
            continue
    return made


# Geometries the student's layer is rerun on to confirm a cause: strides and paddings that differ
# between H and W and are above 1, where every candidate below gives its own output.
PROBE_GEOMETRIES = [dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 2), height=7, width=6, batch=1),
                    dict(kernel_size=(2, 3), stride=(1, 3), padding=(2, 1), height=6, width=8, batch=2)]


def _matching(got, expected, data: dict, s: dict) -> list[str]:
    found = []
    for hint, wrong in candidates(data, s):
        if wrong.shape == got.shape and not _close(wrong, expected) and _close(got, wrong) and hint not in found:
            found.append(hint)
    return found


def diagnose(got, expected: torch.Tensor, data: dict, s: dict, rerun=None) -> str | None:
    """The hint text of the one known misconception that reproduces ``got`` on this input and, with
    ``rerun(setting)`` (the student's output on another setting), on every probe geometry too; else None.
    One input often cannot tell two apart (with stride 1, padding only at the top and left gives the
    same values as dropping the last window), and then no cause is claimed: the comparison's
    "observed" line still says what differs."""
    from autograder.errors import GradingAbort

    if not isinstance(got, torch.Tensor):
        return None
    found = _matching(got, expected, data, s)
    if found and rerun is not None:
        for geometry in PROBE_GEOMETRIES:
            s2 = dict(s, **geometry)
            data2 = make_data(s2)
            try:
                got2 = rerun(s2, data2)
            except (Exception, GradingAbort):
                return None
            if not isinstance(got2, torch.Tensor):
                return None
            expected2 = torch_forward_backward(data2, s2, grads=False)["out"]
            if _close(got2, expected2):
                continue   # right on this geometry: it tells nothing about the candidates
            here = _matching(got2, expected2, data2, s2)
            found = [h for h in found if h in here]
    return HINTS[found[0]] if len(found) == 1 else None


def rerun_layer(sub, cls: str):
    """``rerun`` for :func:`diagnose`: the student's layer built for another setting, its forward output."""
    def run(s2: dict, data2: dict):
        layer = construct(sub, cls, s2)
        got = sub.run_probe(run_layer, layer, data2["weight"], data2["bias"], data2["x"], None)
        return got.get("out")
    return run


def grad_tolerance(expected: torch.Tensor) -> tuple[float, float]:
    """Gradients are sums over many positions, added up in another order than F.conv2d's; float32 rounding
    grows with the size of the sums, so the absolute tolerance scales with the largest entry."""
    scale = float(expected.abs().max()) if expected.numel() else 1.0
    return 1e-5, 1e-5 * max(1.0, scale)


def check_layer(sub, cls: str, s: dict, *, grads: bool, oracle=None, reveal: bool = True) -> None:
    """Run the student's ``cls`` with the grader's weights; compare output (and gradients) with the oracle."""
    data = make_data(s)
    layer = construct(sub, cls, s)
    got = sub.run_probe(run_layer, layer, data["weight"], data["bias"], data["x"],
                        data["grad_out"] if grads else None)
    what = describe(cls, s)
    source = "F.conv2d with the same weight and bias" if oracle is None else "the reference layer"
    if "problem" in got:
        raise Mismatch(f"{what}\n  {got['problem']}")
    expected = torch_forward_backward(data, s, grads) if oracle is None else oracle(data, s, grads)
    if not _close(got["out"], expected["out"]):
        assert_close(got["out"], expected["out"], f"{what}\n  output, compared with {source}:", reveal=reveal,
                     hint=diagnose(got["out"], expected["out"], data, s, rerun_layer(sub, cls)))
    if not grads:
        return
    if got.get("no_graph"):
        raise Mismatch(f"{what}\n  the output does not require grad, so nothing can be backpropagated"
                       + hint_text("not_differentiable", HINTS))
    names = [("grad_input", "x"), ("grad_weight", "layer.weight"), ("grad_bias", "layer.bias")]
    for key, name in names:
        if expected.get(key) is None:
            continue
        label = f"{what}\n  gradient of sum(output * grad_out) with respect to {name}, compared with {source}:"
        if got.get(key) is None:
            raise Mismatch(f"{label}\n  got: None (no gradient reached {name})" + hint_text("not_differentiable",
                                                                                           HINTS))
        rtol, atol = grad_tolerance(expected[key])
        assert_close(got[key], expected[key], label, rtol=rtol, atol=atol, reveal=reveal)


def check_rule(sub, cls: str, s: dict, calls: list[str], names: list[str], rule: str) -> None:
    """The layer runs with the forbidden functions switched off, its class names none of them, and its
    output is right (a rule is credited only together with a working layer)."""
    data = make_data(s)
    layer = construct(sub, cls, s)
    problem = sub.run_probe(load_weights, layer, data["weight"], data["bias"])
    if problem:
        raise Mismatch(f"{describe(cls, s)}\n  {problem}")
    got = run_without(sub, calls, rule, layer, "", data["x"])
    check_source(sub, names, rule, roots=[cls])   # the class and every module-level name it reaches
    expected = torch_forward_backward(data, s, grads=False)["out"]
    if not _close(got, expected):
        assert_close(got, expected, f"{describe(cls, s)}\n  (the rule is credited only when the layer's output "
                                    "is right) output, compared with F.conv2d:",
                     hint=diagnose(got, expected, data, s, rerun_layer(sub, cls)))


# ---------------------------------------------------------------- benchmark protocol
# While benchmark() runs in the probe below, time.perf_counter is a clock that moves only when a layer
# runs: run k of each implementation (k = 0 is the warm-up) takes BENCH_UNIT[impl] * BENCH_FACTORS[k]
# seconds. The timed runs 1..3 then take 9, 4 and 2 units: median 4, mean 5, total 15, first 9, last 2,
# and the median with the warm-up (7) counted is 5.5, so each way of summarising them gives its own value.
BENCH_UNIT = {"naive": 1e-2, "fast": 1e-3, "torch": 1e-4}
BENCH_FACTORS = (7.0, 9.0, 4.0, 2.0, 3.0, 8.0, 6.0, 5.0, 1.0)
BENCH_LABELS = {"naive": "Conv2d", "fast": "FasterConv2d", "torch": "F.conv2d"}
BENCH_KEYS = {"naive": "naive_seconds", "fast": "fast_seconds", "torch": "torch_seconds"}


def bench_duration(impl: str, k: int) -> float:
    return BENCH_UNIT[impl] * BENCH_FACTORS[k % len(BENCH_FACTORS)]


def benchmark_probe(module, batch_size: int, repeats: int) -> dict:
    """Probe: run ``module.benchmark(batch_size=..., repeats=...)`` and record every forward pass of the
    student's Conv2d and FasterConv2d and every F.conv2d call outside them (input and output shapes,
    whether autograd was recording, the first run's weight and bias), with time.perf_counter (and
    perf_counter_ns, timeit.default_timer) replaced by the virtual clock described above."""
    import sys
    import time as real_time

    from torch.overrides import TorchFunctionMode

    state = {"now": 0.001, "reads": 0, "depth": 0}   # near 0: then now % start is not now - start
    runs: dict = {impl: [] for impl in BENCH_UNIT}
    first: dict = {}

    def record(impl, weight, bias, x, out, grad):
        k = len(runs[impl])
        runs[impl].append({"x": list(x.shape) if isinstance(x, torch.Tensor) else None,
                           "out": list(out.shape) if isinstance(out, torch.Tensor) else None, "grad": bool(grad)})
        if k == 0:
            first[impl] = [t.detach().clone() if isinstance(t, torch.Tensor) else None for t in (weight, bias)]
        state["now"] += bench_duration(impl, k)

    def perf_counter():
        state["reads"] += 1
        return state["now"]

    def perf_counter_ns():
        state["reads"] += 1
        return int(round(state["now"] * 1e9))

    def wrap(impl, original):
        def forward(self, *args, **kwargs):
            if state["depth"]:
                return original(self, *args, **kwargs)
            state["depth"] += 1
            try:
                out = original(self, *args, **kwargs)
            finally:
                state["depth"] -= 1
            grad = torch.is_grad_enabled() and any(p.requires_grad for p in self.parameters())
            record(impl, getattr(self, "weight", None), getattr(self, "bias", None),
                   args[0] if args else kwargs.get("x"), out, grad)
            return out
        return forward

    class Watch(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            if state["depth"] == 0 and getattr(func, "__name__", "") == "conv2d":
                x = args[0] if args else kwargs.get("input")
                w = args[1] if len(args) > 1 else kwargs.get("weight")
                b = args[2] if len(args) > 2 else kwargs.get("bias")
                grad = torch.is_grad_enabled() and any(isinstance(t, torch.Tensor) and t.requires_grad
                                                       for t in (x, w, b))
                record("torch", w, b, x, out, grad)
            return out

    missing = object()
    restore = []   # (owner, name, old value or missing)

    def patch(owner, name, value):
        old = vars(owner).get(name, missing) if isinstance(owner, type) else getattr(owner, name, missing)
        restore.append((owner, name, old))
        setattr(owner, name, value)

    clocks = [(real_time.perf_counter, perf_counter), (real_time.perf_counter_ns, perf_counter_ns)]
    try:
        for impl, cls_name in (("naive", "Conv2d"), ("fast", "FasterConv2d")):
            cls = getattr(module, cls_name, None)
            if isinstance(cls, type):
                patch(cls, "forward", wrap(impl, cls.forward))
        for name, value in list(vars(module).items()):   # from time import perf_counter
            for real, fake in clocks:
                if value is real:
                    patch(module, name, fake)
        timeit = sys.modules.get("timeit")
        if timeit is not None and getattr(timeit, "default_timer", None) is real_time.perf_counter:
            patch(timeit, "default_timer", perf_counter)
        patch(real_time, "perf_counter_ns", perf_counter_ns)
        patch(real_time, "perf_counter", perf_counter)
        with Watch():
            report = module.benchmark(batch_size=batch_size, repeats=repeats)
    finally:
        for owner, name, old in reversed(restore):
            if old is missing:
                delattr(owner, name)
            else:
                setattr(owner, name, old)
    return {"report": report, "runs": runs, "first": first, "reads": state["reads"]}


benchmark_probe.describes = "benchmark"


def check_benchmark_protocol(got: dict, batch_size: int, repeats: int, what: str) -> None:
    """Grader side: the benchmark ran each implementation once to warm up and then ``repeats`` times, on the
    problem's layer and a batch of ``batch_size`` images, without autograd, with one weight and bias for all
    three, and (when it read time.perf_counter) reported the median of the timed runs."""
    runs, first, report = got["runs"], got["first"], got["report"]
    for impl, label in BENCH_LABELS.items():
        n = len(runs[impl])
        if n != repeats + 1:
            raise Mismatch(f"{what}\n  {label} was run {n} time(s); expected {repeats + 1}: once to warm up, then "
                           f"repeats={repeats} timed runs")
    x_shape, out_shape = [batch_size, 1, 28, 28], [batch_size, 8, 26, 26]
    for impl, label in BENCH_LABELS.items():
        for run in runs[impl]:
            if run["x"] != x_shape:
                raise Mismatch(f"{what}\n  {label} ran on an input of shape {run['x']}; expected {x_shape} "
                               "(batch_size one-channel 28x28 images)" + hint_text("benchmark_setting", HINTS))
            # The output shape tells the stride and padding of F.conv2d's call; the student's layers'
            # outputs are the forward tests' business (a wrong layer is not a wrong benchmark).
            if impl == "torch" and run["out"] != out_shape:
                raise Mismatch(f"{what}\n  F.conv2d returned shape {run['out']}; the problem's layer (3x3 kernel, "
                               f"stride 1, no padding) gives {out_shape}" + hint_text("benchmark_setting", HINTS))
        w, b = first[impl]
        if not isinstance(w, torch.Tensor) or tuple(w.shape) != (8, 1, 3, 3) or not isinstance(b, torch.Tensor):
            raise Mismatch(f"{what}\n  {label} ran with a weight of shape "
                           f"{None if not isinstance(w, torch.Tensor) else tuple(w.shape)} and "
                           f"{'a' if isinstance(b, torch.Tensor) else 'no'} bias; expected weight (8, 1, 3, 3) and "
                           "a bias" + hint_text("benchmark_setting", HINTS))
        if any(run["grad"] for run in runs[impl][1:]):   # the warm-up run is not timed
            raise Mismatch(f"{what}\n  a timed run of {label} ran with autograd recording (its parameters "
                           "require grad and gradients were enabled): time the forward passes under torch.no_grad()")
    (w0, b0) = first["naive"]
    for impl in ("fast", "torch"):
        w, b = first[impl]
        if not (torch.equal(w.double(), w0.double()) and torch.equal(b.double(), b0.double())):
            raise Mismatch(f"{what}\n  {BENCH_LABELS[impl]} ran with another weight or bias than Conv2d; the "
                           "three implementations must use the same weight and bias")
    if not got["reads"] or not isinstance(report, dict):
        return   # timed with another clock: the values cannot be checked (the report test checks the rest)
    for impl, label in BENCH_LABELS.items():
        key = BENCH_KEYS[impl]
        timed = [bench_duration(impl, k) for k in range(1, repeats + 1)]
        expected = statistics.median(timed)
        value = report.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isclose(value, expected,
                                                                                             rel_tol=1e-6):
            mean = statistics.fmean(timed)
            hint = ("benchmark_median" if isinstance(value, (int, float)) and not isinstance(value, bool)
                    and math.isclose(value, mean, rel_tol=1e-6) and not math.isclose(mean, expected) else None)
            raise Mismatch(f"{what}\n  during this test time.perf_counter is a clock that gives every run a set "
                           f"duration: the {repeats} timed runs of {label} took {timed} seconds (the warm-up "
                           f"{bench_duration(impl, 0)}), so {key!r} should be their median, {expected!r}\n"
                           f"  got: {value!r}" + hint_text(hint, HINTS))


BENCHMARK_TIMES = ("naive_seconds", "fast_seconds", "torch_seconds")
BENCHMARK_RATIOS = {"fast_speedup": ("naive_seconds", "fast_seconds"),
                    "torch_speedup": ("fast_seconds", "torch_seconds")}


def check_benchmark_report(report, what: str) -> None:
    """The dict has the three timings (positive) and the two ratios, each consistent with its timings."""
    if not isinstance(report, dict):
        raise Mismatch(f"{what}\n  expected: a dict with keys {list(BENCHMARK_TIMES) + list(BENCHMARK_RATIOS)}\n"
                       f"  got:      {type(report).__name__}")
    missing = [k for k in (*BENCHMARK_TIMES, *BENCHMARK_RATIOS) if k not in report]
    if missing:
        raise Mismatch(f"{what}\n  the dict has no entry for {missing}; it has {sorted(map(str, report))}")
    for key in (*BENCHMARK_TIMES, *BENCHMARK_RATIOS):
        value = report[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise Mismatch(f"{what}\n  {key!r} should be a positive number (seconds, or a ratio), got {value!r}")
    for key, (slow, fast) in BENCHMARK_RATIOS.items():
        expected = report[slow] / report[fast]
        if not math.isclose(report[key], expected, rel_tol=1e-6):
            inverted = math.isclose(report[key], report[fast] / report[slow], rel_tol=1e-6)
            raise Mismatch(f"{what}\n  {key!r} should be {slow} / {fast} = {expected!r} (from your own timings)\n"
                           f"  got: {report[key]!r}" + hint_text("ratio_inverted" if inverted else None, HINTS))
