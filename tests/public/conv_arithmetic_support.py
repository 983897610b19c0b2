"""Shared by the public and hidden conv-arithmetic tests: hints, strategies, torch oracles."""
from __future__ import annotations

import math

import torch
from hypothesis import strategies as st
from torch import nn

from autograder.checks import Mismatch, as_int_tuple, fail, is_integer
from autograder.diagnose import confirmed

EXERCISE = "conv_arithmetic"

HINTS = {
    "floor_vs_ceil": "a window that would hang over the end of the padded input is not used, so the "
                     "number of window positions is rounded down (floor), not up.",
    "true_division": "sizes and counts are whole numbers, but `/` in Python always gives a float; "
                     "use floor division `//`.",
    "padding_one_side": "padding=p adds p zeros at *each* end of the axis, so it lengthens the input by 2p.",
    "dilation_ignored": "with dilation d the kernel's taps are d apart, so a kernel of size k covers "
                        "d*(k-1)+1 inputs, not k.",
    "span_d_times_k": "a dilated kernel of size k spans d*(k-1)+1 inputs: k taps leave k-1 gaps of d between "
                      "them; your count matches a span of d*k.",
    "padding_after_division": "pad first, then count: the padded axis has length + 2*padding inputs, so the count "
                              "is (length + 2*padding - span) // stride + 1; your count matches counting the "
                              "windows of the unpadded axis and adding 2*padding afterwards.",
    "plus_one_missing": "the count is one short: count the window's first position as well as each slide.",
    "bias_forgotten": "each filter (output channel) has one bias unless bias=False.",
    "in_channels_forgotten": "a filter spans all the input channels it sees (in_channels/groups of them), so it "
                             "holds (in_channels/groups) * prod(kernel_size) weights.",
    "groups_ignored": "with groups=g, each filter sees only in_channels/g input channels.",
    "axis_order": "your numbers are the expected ones in another order: shapes here are channels first, "
                  "(C, L) or (C, H, W), with no batch dimension.",
    "channels_last": "your shapes are channels-last, (L, C) or (H, W, C): shapes here are channels first, "
                     "(C, L) or (C, H, W), with no batch dimension.",
    "hw_swapped": "your H size is computed with the W settings and your W size with the H ones: with pairs, "
                  "kernel_size=(k_h, k_w), stride, padding and dilation give H first, then W.",
    "pool_default_stride": "when stride is None, PyTorch's pooling uses stride = kernel_size.",
    "stack_channels": "the first conv sees the image's channels; every later conv sees the previous "
                      "module's filters as its input channels. Pooling and ReLU have no parameters.",
    "stack_pool_settings": "your shape matches pooling with the default 2x2 window and stride 2: each module's "
                           "MaxPool2d uses the pool_size and pool_stride given to the function.",
    "stack_square": "your shape has the height's size along W too: the input may be rectangular, (C, H, W) with "
                    "H != W; follow each axis with its own size.",
    "fc_flatten": "the FC layer's input is the whole flattened volume, C*H*W values.",
    "not_an_int": "return Python ints (or numpy integers), not floats or strings.",
}

# ---------------------------------------------------------------- strategies
# Small bounded settings; `length` is drawn last so that at least one window fits.
@st.composite
def axis_settings(draw, max_kernel=7, max_stride=4, max_padding=3, max_dilation=3):
    kernel = draw(st.integers(1, max_kernel), label="kernel_size")
    stride = draw(st.integers(1, max_stride), label="stride")
    padding = draw(st.integers(0, max_padding), label="padding")
    dilation = draw(st.integers(1, max_dilation), label="dilation")
    span = dilation * (kernel - 1) + 1
    length = draw(st.integers(max(1, span - 2 * padding), span + 40), label="length")
    return dict(length=length, kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)


# ---------------------------------------------------------------- oracles (real torch modules, meta device)
def torch_conv_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1) -> tuple:
    dims = len(input_shape) - 1
    cls = {1: nn.Conv1d, 2: nn.Conv2d}[dims]
    layer = cls(input_shape[0], out_channels, kernel_size, stride, padding, dilation, device="meta")
    return tuple(layer(torch.empty(1, *input_shape, device="meta")).shape[1:])


def torch_param_count(in_channels, out_channels, kernel_size, groups=1, bias=True) -> int:
    dims = 1 if isinstance(kernel_size, int) else len(kernel_size)
    cls = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[dims]
    layer = cls(in_channels, out_channels, kernel_size, groups=groups, bias=bias, device="meta")
    return sum(p.numel() for p in layer.parameters())


def torch_pool_shape(input_shape, kernel_size, stride=None, padding=0) -> tuple:
    pool = nn.MaxPool2d(kernel_size, stride, padding)
    return tuple(pool(torch.empty(1, *input_shape, device="meta")).shape[1:])


def torch_stack(input_shape, n_modules, out_channels, kernel_size, stride=1, padding=0, pool_size=2,
                pool_stride=2):
    layers, channels = [], input_shape[0]
    for _ in range(n_modules):
        layers += [nn.Conv2d(channels, out_channels, kernel_size, stride, padding, device="meta"),
                   nn.MaxPool2d(pool_size, pool_stride), nn.ReLU()]
        channels = out_channels
    net = nn.Sequential(*layers)
    # The shape pass skips the ReLUs: they keep shapes and have no parameters, and a ReLU on the
    # meta device imports torch._dynamo (~2 s and ~70 MB in the grader) for nothing.
    x = torch.empty(1, *input_shape, device="meta")
    for layer in net:
        x = x if isinstance(layer, nn.ReLU) else layer(x)
    return tuple(x.shape[1:]), sum(p.numel() for p in net.parameters())


def torch_fc_count(input_shape, n_outputs, bias=True) -> int:
    return sum(p.numel() for p in nn.Linear(math.prod(input_shape), n_outputs, bias=bias,
                                            device="meta").parameters())


# ---------------------------------------------------------------- misconceptions
# A hint names a cause only when the cause is confirmed (autograder.diagnose.confirmed): the wrong
# formula reproduces the student's answer on the failing input AND on every diagnostic input below
# that tells the formulas apart. One input rarely can (with dilation 1 and stride 1, "span = d*k"
# and "the +1 is missing" give the same count), so a cause matched once is not claimed.
LENGTH_HINTS = ("floor_vs_ceil", "padding_one_side", "dilation_ignored", "plus_one_missing", "span_d_times_k",
                "padding_after_division")
PROBE_AXES = [dict(length=10, kernel_size=3, stride=2, padding=1, dilation=2),
              dict(length=11, kernel_size=2, stride=3, padding=2, dilation=1),
              dict(length=9, kernel_size=3, stride=1, padding=0, dilation=3),
              dict(length=17, kernel_size=4, stride=2, padding=1, dilation=1),
              dict(length=6, kernel_size=2, stride=4, padding=3, dilation=2)]
PROBE_PARAMS = [dict(in_channels=6, out_channels=4, kernel_size=(3, 2), groups=2, bias=True),
                dict(in_channels=3, out_channels=5, kernel_size=4, groups=1, bias=False),
                dict(in_channels=8, out_channels=12, kernel_size=(2, 3, 1), groups=4, bias=True),
                dict(in_channels=2, out_channels=2, kernel_size=(5, 5), groups=1, bias=True)]


def true_length(length, kernel_size, stride=1, padding=0, dilation=1) -> int:
    return (length + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def wrong_lengths(length, kernel_size, stride=1, padding=0, dilation=1) -> dict[str, object]:
    """What a known misconception gives for one axis, by hint id."""
    span = dilation * (kernel_size - 1) + 1
    room = length + 2 * padding - span
    return {
        "floor_vs_ceil": math.ceil(room / stride) + 1,
        "padding_one_side": (length + padding - span) // stride + 1,
        "dilation_ignored": (length + 2 * padding - kernel_size) // stride + 1,
        "plus_one_missing": room // stride,
        "span_d_times_k": (length + 2 * padding - dilation * kernel_size) // stride + 1,
        "padding_after_division": (length - span) // stride + 1 + 2 * padding,
    }


def length_variants() -> dict:
    return {h: (lambda s, h=h: wrong_lengths(**s)[h]) for h in LENGTH_HINTS}


def diagnose_length(student, s: dict) -> str | None:
    """The confirmed hint for conv_output_length(**s), ``student`` the student's function."""
    found = confirmed(lambda a: student(**a), lambda a: true_length(**a), length_variants(), s, PROBE_AXES)
    return found[0] if len(found) == 1 else None


def _shape_args(axes: list[dict], channels=3, filters=5) -> dict:
    """conv1d/conv2d_output_shape arguments for one (1D) or two (H, W) axis settings."""
    if len(axes) == 1:
        (a,) = axes
        return dict(input_shape=(channels, a["length"]), out_channels=filters, kernel_size=a["kernel_size"],
                    stride=a["stride"], padding=a["padding"], dilation=a["dilation"])
    h, w = axes
    return dict(input_shape=(channels, h["length"], w["length"]), out_channels=filters,
                **{k: (h[k], w[k]) for k in ("kernel_size", "stride", "padding", "dilation")})


def _axes_of(args: dict) -> list[dict]:
    spatial = args["input_shape"][1:]
    out = []
    for i, length in enumerate(spatial):
        one = {}
        for k, default in (("kernel_size", None), ("stride", 1), ("padding", 0), ("dilation", 1)):
            v = args.get(k, default)
            one[k] = v[i] if isinstance(v, (list, tuple)) else v
        out.append(dict(length=length, **one))
    return out


def shape_variants() -> dict:
    """Wrong shape formulas as functions of conv1d/conv2d_output_shape's arguments."""
    def per_axis(h):
        return lambda a: (a["out_channels"], *(wrong_lengths(**x)[h] for x in _axes_of(a)))

    def channels_last(a):
        return (*(true_length(**x) for x in _axes_of(a)), a["out_channels"])

    def hw_swapped(a):   # each axis's length measured with the other axis's kernel, stride, padding, dilation
        axes = _axes_of(a)
        if len(axes) != 2:
            raise ValueError("2D only")
        h, w = axes
        return (a["out_channels"], true_length(**dict(w, length=h["length"])),
                true_length(**dict(h, length=w["length"])))

    return {**{h: per_axis(h) for h in LENGTH_HINTS}, "channels_last": channels_last, "hw_swapped": hw_swapped}


def _shape_same(a, b) -> bool:
    return as_int_tuple(a) is not None and as_int_tuple(a) == as_int_tuple(b)


def diagnose_shape(student, args: dict, expected: tuple) -> str | None:
    """The confirmed hint for a conv1d/conv2d_output_shape(**args) answer, or None."""
    n = len(args["input_shape"]) - 1
    probes = ([_shape_args([a]) for a in PROBE_AXES] if n == 1 else
              [_shape_args([a, b]) for a, b in zip(PROBE_AXES, PROBE_AXES[1:] + PROBE_AXES[:1])])
    reference = lambda a: (a["out_channels"], *(true_length(**x) for x in _axes_of(a)))  # noqa: E731
    found = confirmed(lambda a: student(**a), reference, shape_variants(), args, probes, same=_shape_same)
    return found[0] if len(found) == 1 else None


def diagnose_lengths(got: tuple, expected: tuple, settings: list[dict]) -> str | None:
    """A hint from the answer's form alone (floats where integers belong), an observation, not a cause."""
    if isinstance(got, (list, tuple)) and any(isinstance(v, float) for v in got):
        return "true_division"
    return None


def wrong_param_counts(in_channels, out_channels, kernel_size, groups=1, bias=True) -> dict[str, int]:
    taps = kernel_size if isinstance(kernel_size, int) else math.prod(kernel_size)
    b = out_channels if bias else 0
    return {
        "bias_forgotten": out_channels * (in_channels // groups) * taps,
        "in_channels_forgotten": out_channels * taps + b,
        "groups_ignored": out_channels * in_channels * taps + b,
    }


def diagnose_params(student, args: dict) -> str | None:
    """The confirmed hint for a conv_param_count(**args) answer, or None."""
    variants = {h: (lambda a, h=h: wrong_param_counts(**a)[h]) for h in ("bias_forgotten", "in_channels_forgotten",
                                                                        "groups_ignored")}
    found = confirmed(lambda a: student(**a), lambda a: torch_param_count(**a), variants, args, PROBE_PARAMS)
    return found[0] if len(found) == 1 else None


# Stacks that tell the stack misconceptions apart: rectangular, pooling other than 2x2/2, several modules.
PROBE_STACKS = [dict(input_shape=(2, 40, 29), n_modules=2, out_channels=3, kernel_size=3, stride=1, padding=1,
                     pool_size=3, pool_stride=2),
                dict(input_shape=(1, 23, 37), n_modules=3, out_channels=5, kernel_size=2, stride=1, padding=0,
                     pool_size=2, pool_stride=1)]


def stack_shape_variants() -> dict:
    """Wrong conv_pool_relu_stack shapes as functions of its arguments."""
    def pool_defaults(a):
        return torch_stack(**dict(a, pool_size=2, pool_stride=2))[0]

    def square(a):
        c, h, _ = a["input_shape"]
        return torch_stack(**dict(a, input_shape=(c, h, h)))[0]

    def channels_last(a):
        c, h, w = torch_stack(**a)[0]
        return (h, w, c)

    return {"stack_pool_settings": pool_defaults, "stack_square": square, "channels_last": channels_last}


def _stack_part(student, i: int):
    def run(a):
        got = student(**a)
        if not (isinstance(got, (list, tuple)) and len(got) == 2):
            raise ValueError("not a pair")
        return got[i]
    return run


def diagnose_stack_shape(student, args: dict, got_shape) -> str | None:
    """The confirmed hint for the shape part, ``got_shape``, of a conv_pool_relu_stack(**args) answer, or
    None; failing that, "axis_order" when the numbers are the expected ones with the channels moved (an
    observation: the hint says no more than that)."""
    expected = torch_stack(**args)[0]
    found = confirmed(_stack_part(student, 0), lambda a: torch_stack(**a)[0], stack_shape_variants(), args,
                      PROBE_STACKS, same=_shape_same)
    if len(found) == 1:
        return found[0]
    got = as_int_tuple(got_shape)
    if got is not None and len(got) == 3 and sorted(got) == sorted(expected) and got[0] != expected[0]:
        return "axis_order"
    return None


def diagnose_stack_params(student, args: dict) -> str | None:
    """The confirmed hint for the parameter count of a conv_pool_relu_stack(**args) answer, or None."""
    def same_channels(a):   # every conv sees the image's channels
        return a["n_modules"] * torch_param_count(a["input_shape"][0], a["out_channels"], (a["kernel_size"],) * 2)

    found = confirmed(_stack_part(student, 1), lambda a: torch_stack(**a)[1], {"stack_channels": same_channels},
                      args, PROBE_STACKS)
    return found[0] if len(found) == 1 else None


def expect_count(got, expected: int, what: str, source: str, hint: str | None = None, reveal: bool = True) -> None:
    """A count must be an integer equal to ``expected``."""
    if not is_integer(got):
        fail(what, got, expected, reveal=reveal, source=source,
             hint="true_division" if isinstance(got, float) else "not_an_int", hints=HINTS)
    if int(got) != expected:
        fail(what, got, expected, reveal=reveal, source=source, hint=hint, hints=HINTS)


def expect_shape(got, expected: tuple, what: str, source: str, hint: str | None = None, reveal: bool = True) -> None:
    """A shape must be a tuple or list of integers equal to ``expected``."""
    if as_int_tuple(got) != tuple(expected):
        if hint is None and isinstance(got, (list, tuple)) and any(isinstance(v, float) for v in got):
            hint = "true_division"
        fail(what, got, tuple(expected), reveal=reveal, source=source, hint=hint, hints=HINTS)


def validate_shape(n: int):
    def check(value):
        if as_int_tuple(value) is None or len(value) != n:
            kind = "(C, L)" if n == 2 else "(C, H, W)"
            return f"a shape here is a tuple of {n} integers, {kind}."
        return None
    return check


def validate_count(value):
    if is_integer(value) or (isinstance(value, float) and value.is_integer()):
        return None
    return "a parameter count is a whole number."


__all__ = ["Mismatch"]
