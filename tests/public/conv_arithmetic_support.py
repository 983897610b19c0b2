"""Shared by the public and hidden conv-arithmetic tests: hints, strategies, torch oracles."""
from __future__ import annotations

import math

import torch
from hypothesis import strategies as st
from torch import nn

from autograder.checks import Mismatch, as_int_tuple, fail, is_integer

EXERCISE = "conv_arithmetic"

HINTS = {
    "floor_vs_ceil": "a window that would hang over the end of the padded input is not used, so the "
                     "number of window positions is rounded down (floor), not up.",
    "true_division": "sizes and counts are whole numbers, but `/` in Python always gives a float; "
                     "use floor division `//`.",
    "padding_one_side": "padding=p adds p zeros at *each* end of the axis, so it lengthens the input by 2p.",
    "dilation_ignored": "with dilation d the kernel's taps are d apart, so a kernel of size k covers "
                        "d*(k-1)+1 inputs, not k.",
    "plus_one_missing": "the count is one short: count the window's first position as well as each slide.",
    "bias_forgotten": "each filter (output channel) has one bias unless bias=False.",
    "in_channels_forgotten": "a filter spans all the input channels it sees (in_channels/groups of them), so it "
                             "holds (in_channels/groups) * prod(kernel_size) weights.",
    "groups_ignored": "with groups=g, each filter sees only in_channels/g input channels.",
    "axis_order": "the numbers look right but are in the wrong order: shapes here are channels first, "
                  "(C, L) or (C, H, W), with no batch dimension.",
    "pool_default_stride": "when stride is None, PyTorch's pooling uses stride = kernel_size.",
    "stack_channels": "the first conv sees the image's channels; every later conv sees the previous "
                      "module's filters as its input channels. Pooling and ReLU have no parameters.",
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
def wrong_lengths(length, kernel_size, stride=1, padding=0, dilation=1) -> dict[str, object]:
    """What a known misconception gives for one axis, by hint id (first match wins)."""
    span = dilation * (kernel_size - 1) + 1
    room = length + 2 * padding - span
    return {
        "floor_vs_ceil": math.ceil(room / stride) + 1,
        "padding_one_side": (length + padding - span) // stride + 1,
        "dilation_ignored": (length + 2 * padding - kernel_size) // stride + 1,
        "plus_one_missing": room // stride,
    }


def diagnose_lengths(got: tuple, expected: tuple, settings: list[dict]) -> str | None:
    """Hint for a shape whose spatial sizes are wrong along the axes in ``settings``."""
    if isinstance(got, (list, tuple)) and any(isinstance(v, float) for v in got):
        return "true_division"
    got_t = as_int_tuple(got)
    if got_t is None or len(got_t) != len(expected):
        return None
    if sorted(got_t) == sorted(expected):
        return "axis_order"
    for hint in ("floor_vs_ceil", "padding_one_side", "dilation_ignored", "plus_one_missing"):
        guess = expected[:len(expected) - len(settings)] + tuple(wrong_lengths(**s)[hint] for s in settings)
        if got_t == guess and guess != expected:
            return hint
    return None


def wrong_param_counts(in_channels, out_channels, kernel_size, groups=1, bias=True) -> dict[str, int]:
    taps = kernel_size if isinstance(kernel_size, int) else math.prod(kernel_size)
    b = out_channels if bias else 0
    return {
        "bias_forgotten": out_channels * (in_channels // groups) * taps,
        "in_channels_forgotten": out_channels * taps + b,
        "groups_ignored": out_channels * in_channels * taps + b,
    }


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
