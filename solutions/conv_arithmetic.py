"""Convolution arithmetic: output shapes and parameter counts.

Conventions used throughout this exercise (they match PyTorch):

* Shapes leave out the batch dimension and put channels first:
  a 1D signal is ``(C, L)``, an image is ``(C, H, W)``. A "28x28 RGB image"
  is therefore ``(3, 28, 28)``.
* ``kernel_size``, ``stride``, ``padding`` and ``dilation`` are either one int
  (the same along every spatial axis) or a tuple with one int per spatial axis.
* ``padding=p`` adds ``p`` zeros at *both* ends of each spatial axis.
* Windows that would run past the end of the padded input are dropped.
* Counts and sizes are Python ``int``s (numpy integers are fine too).

Part A asks for general functions; they are graded against real ``torch.nn``
modules on many random settings. Part B asks for the by-hand answers of the
problem set; write them as literal values or compute them with your Part A
functions, as you prefer.
"""
from __future__ import annotations

import math


# ----------------------------------------------------------------------------- helpers
def _per_axis(value, n_axes: int, name: str) -> tuple[int, ...]:
    """Expand an int or a tuple to one int per spatial axis."""
    if isinstance(value, int):
        return (value,) * n_axes
    value = tuple(value)
    if len(value) != n_axes:
        raise ValueError(f"{name} needs {n_axes} values, got {len(value)}")
    return value


# ----------------------------------------------------------------------------- Part A
def conv_output_length(length: int, kernel_size: int, stride: int = 1, padding: int = 0,
                       dilation: int = 1) -> int:
    """Number of outputs along one axis of a convolution (or pooling) window sliding over it.

    Args:
    - length: input size along the axis (before padding)
    - kernel_size: number of taps in the window
    - stride: step between neighbouring windows
    - padding: zeros added at each end of the axis
    - dilation: spacing between the taps (1 means adjacent)

    Returns:
    - the output size, an int >= 1

    Raises:
    - ValueError when not even one window fits in the padded input.
    """
    # BEGIN SOLUTION
    span = dilation * (kernel_size - 1) + 1          # inputs covered by one window
    room = length + 2 * padding - span               # how far the window can slide
    if room < 0:
        raise ValueError(f"a window spanning {span} inputs does not fit in {length + 2 * padding}")
    return room // stride + 1
    # END SOLUTION


def conv1d_output_shape(input_shape: tuple[int, int], out_channels: int, kernel_size: int, stride: int = 1,
                        padding: int = 0, dilation: int = 1) -> tuple[int, int]:
    """Output shape of ``nn.Conv1d(C_in, out_channels, kernel_size, stride, padding, dilation)``.

    Args:
    - input_shape: (C_in, L)
    - out_channels, kernel_size, stride, padding, dilation: ints, as in ``nn.Conv1d``

    Returns:
    - (C_out, L_out), a tuple of two ints
    """
    # BEGIN SOLUTION
    _, length = input_shape
    return (out_channels, conv_output_length(length, kernel_size, stride, padding, dilation))
    # END SOLUTION


def conv2d_output_shape(input_shape: tuple[int, int, int], out_channels: int, kernel_size, stride=1, padding=0,
                        dilation=1) -> tuple[int, int, int]:
    """Output shape of ``nn.Conv2d(C_in, out_channels, kernel_size, stride, padding, dilation)``.

    Args:
    - input_shape: (C_in, H, W)
    - kernel_size, stride, padding, dilation: an int, or a pair (along H, along W)

    Returns:
    - (C_out, H_out, W_out), a tuple of three ints
    """
    # BEGIN SOLUTION
    _, height, width = input_shape
    k, s, p, d = (_per_axis(v, 2, n) for v, n in
                  ((kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding"), (dilation, "dilation")))
    return (out_channels,
            conv_output_length(height, k[0], s[0], p[0], d[0]),
            conv_output_length(width, k[1], s[1], p[1], d[1]))
    # END SOLUTION


def conv_param_count(in_channels: int, out_channels: int, kernel_size, groups: int = 1, bias: bool = True) -> int:
    """Number of trainable parameters of a convolution layer (``nn.Conv1d``, ``Conv2d`` or ``Conv3d``).

    Args:
    - in_channels, out_channels: channel counts; both are divisible by ``groups``
    - kernel_size: an int (a 1D kernel) or a tuple with the kernel's size along each spatial axis
    - groups: the input and output channels are split into this many independent groups
    - bias: whether each output channel has a bias

    Returns:
    - the parameter count, an int
    """
    # BEGIN SOLUTION
    taps = math.prod(_per_axis(kernel_size, 1, "kernel_size") if isinstance(kernel_size, int) else kernel_size)
    weights = out_channels * (in_channels // groups) * taps
    return weights + (out_channels if bias else 0)
    # END SOLUTION


def maxpool2d_output_shape(input_shape: tuple[int, int, int], kernel_size, stride=None,
                           padding=0) -> tuple[int, int, int]:
    """Output shape of ``nn.MaxPool2d(kernel_size, stride, padding)`` (floor mode, no dilation).

    Args:
    - input_shape: (C, H, W)
    - kernel_size, padding: an int or a pair
    - stride: an int, a pair, or None, which means "the same as kernel_size" (as in PyTorch)

    Returns:
    - (C, H_out, W_out)
    """
    # BEGIN SOLUTION
    channels, height, width = input_shape
    k = _per_axis(kernel_size, 2, "kernel_size")
    s = k if stride is None else _per_axis(stride, 2, "stride")
    p = _per_axis(padding, 2, "padding")
    return (channels, conv_output_length(height, k[0], s[0], p[0]), conv_output_length(width, k[1], s[1], p[1]))
    # END SOLUTION


def conv_pool_relu_stack(input_shape: tuple[int, int, int], n_modules: int, out_channels: int, kernel_size: int,
                         stride: int = 1, padding: int = 0, pool_size: int = 2,
                         pool_stride: int = 2) -> tuple[tuple[int, int, int], int]:
    """Output shape and parameter count of ``n_modules`` identical Conv -> MaxPool -> ReLU modules.

    Every module has a ``Conv2d`` with ``out_channels`` filters of size ``kernel_size`` (with bias),
    the given stride and padding, then ``MaxPool2d(pool_size, pool_stride)``, then ``ReLU``.
    The first conv sees the input's channels; each later conv sees the previous module's output.

    Args:
    - input_shape: (C, H, W) of the network's input

    Returns:
    - ((C_out, H_out, W_out), n_params): the shape after the last module, and the number of
      trainable parameters in the whole stack
    """
    # BEGIN SOLUTION
    shape, n_params = tuple(input_shape), 0
    for _ in range(n_modules):
        n_params += conv_param_count(shape[0], out_channels, (kernel_size, kernel_size))
        shape = conv2d_output_shape(shape, out_channels, kernel_size, stride, padding)
        shape = maxpool2d_output_shape(shape, pool_size, pool_stride)
        # ReLU keeps the shape and has no parameters.
    return shape, n_params
    # END SOLUTION


def fc_param_count(input_shape: tuple[int, ...], n_outputs: int, bias: bool = True) -> int:
    """Parameters of a fully connected layer applied to the flattened ``input_shape`` volume.

    Args:
    - input_shape: the shape of one example before flattening, e.g. (C, H, W)
    - n_outputs: the layer's number of outputs (e.g. the number of classes)

    Returns:
    - the parameter count of ``nn.Linear(prod(input_shape), n_outputs, bias)``
    """
    # BEGIN SOLUTION
    return math.prod(input_shape) * n_outputs + (n_outputs if bias else 0)
    # END SOLUTION


# ----------------------------------------------------------------------------- Part B
# (a) A sequence of length 200 with one channel, i.e. shape (1, 200), goes through a Conv1d
#     with 8 filters of length 4, stride 2 and no padding; each filter has a bias.

def answer_conv1d_200_shape() -> tuple[int, int]:
    """(a) The output shape, as (C, L)."""
    # BEGIN SOLUTION
    return conv1d_output_shape((1, 200), out_channels=8, kernel_size=4, stride=2)
    # END SOLUTION


def answer_conv1d_200_params() -> int:
    """(a) The number of parameters of the layer, biases included."""
    # BEGIN SOLUTION
    return conv_param_count(1, 8, 4)
    # END SOLUTION


# (b) A 28x28 RGB image, i.e. shape (3, 28, 28), goes through a Conv2d with 8 filters of size
#     4x4 (each spanning the 3 input channels), stride 2, no padding, with biases.

def answer_conv2d_28_shape() -> tuple[int, int, int]:
    """(b) The output shape, as (C, H, W)."""
    # BEGIN SOLUTION
    return conv2d_output_shape((3, 28, 28), out_channels=8, kernel_size=4, stride=2)
    # END SOLUTION


def answer_conv2d_28_params() -> int:
    """(b) The number of parameters of the layer, biases included."""
    # BEGIN SOLUTION
    return conv_param_count(3, 8, (4, 4))
    # END SOLUTION


# (c) The input is a 128x128 RGB image, shape (3, 128, 128). For each setting of a first conv
#     layer (square filters, with biases), give the output shape (C, H, W) and its parameter count.
#     i.   stride 1, filter size 3, padding 0, 64 filters
#     ii.  stride 1, filter size 5, padding 2, 16 filters
#     iii. stride 2, filter size 2, padding 0, 32 filters
FIRST_LAYER_SETTINGS = {"i": (1, 3, 0, 64), "ii": (1, 5, 2, 16), "iii": (2, 2, 0, 32)}  # stride, size, pad, filters


def answer_first_layer_i_shape() -> tuple[int, int, int]:
    """(c.i) Output shape."""
    # BEGIN SOLUTION
    return _first_layer("i")[0]
    # END SOLUTION


def answer_first_layer_i_params() -> int:
    """(c.i) Parameter count."""
    # BEGIN SOLUTION
    return _first_layer("i")[1]
    # END SOLUTION


def answer_first_layer_ii_shape() -> tuple[int, int, int]:
    """(c.ii) Output shape."""
    # BEGIN SOLUTION
    return _first_layer("ii")[0]
    # END SOLUTION


def answer_first_layer_ii_params() -> int:
    """(c.ii) Parameter count."""
    # BEGIN SOLUTION
    return _first_layer("ii")[1]
    # END SOLUTION


def answer_first_layer_iii_shape() -> tuple[int, int, int]:
    """(c.iii) Output shape."""
    # BEGIN SOLUTION
    return _first_layer("iii")[0]
    # END SOLUTION


def answer_first_layer_iii_params() -> int:
    """(c.iii) Parameter count."""
    # BEGIN SOLUTION
    return _first_layer("iii")[1]
    # END SOLUTION


# (d) Now three identical modules, each Conv -> 2x2 MaxPool with stride 2 -> ReLU, are stacked on the
#     same (3, 128, 128) input. The conv layers of all three modules use the setting below. Give the
#     shape after the third module and the parameter count of the whole stack.
#     iv.  stride 1, filter size 3, padding 0, 64 filters
#     v.   stride 1, filter size 5, padding 2, 16 filters
#     vi.  stride 2, filter size 2, padding 0, 32 filters
STACK_SETTINGS = {"iv": (1, 3, 0, 64), "v": (1, 5, 2, 16), "vi": (2, 2, 0, 32)}  # stride, size, pad, filters


def answer_stack_iv_shape() -> tuple[int, int, int]:
    """(d.iv) Output shape after the three modules."""
    # BEGIN SOLUTION
    return _stack("iv")[0]
    # END SOLUTION


def answer_stack_iv_params() -> int:
    """(d.iv) Parameter count of the three modules."""
    # BEGIN SOLUTION
    return _stack("iv")[1]
    # END SOLUTION


def answer_stack_v_shape() -> tuple[int, int, int]:
    """(d.v) Output shape after the three modules."""
    # BEGIN SOLUTION
    return _stack("v")[0]
    # END SOLUTION


def answer_stack_v_params() -> int:
    """(d.v) Parameter count of the three modules."""
    # BEGIN SOLUTION
    return _stack("v")[1]
    # END SOLUTION


def answer_stack_vi_shape() -> tuple[int, int, int]:
    """(d.vi) Output shape after the three modules."""
    # BEGIN SOLUTION
    return _stack("vi")[0]
    # END SOLUTION


def answer_stack_vi_params() -> int:
    """(d.vi) Parameter count of the three modules."""
    # BEGIN SOLUTION
    return _stack("vi")[1]
    # END SOLUTION


# (e) A fully connected layer with 10 outputs (and biases) is put after the three modules, on their
#     flattened output. Which of the settings iv, v, vi gives this layer the fewest parameters,
#     and how many parameters does it have then?

def answer_fc_smallest_setting() -> str:
    """(e) One of "iv", "v" or "vi"."""
    # BEGIN SOLUTION
    return min(STACK_SETTINGS, key=lambda name: fc_param_count(_stack(name)[0], 10))
    # END SOLUTION


def answer_fc_smallest_params() -> int:
    """(e) The parameter count of the FC layer for that setting."""
    # BEGIN SOLUTION
    return fc_param_count(_stack(answer_fc_smallest_setting())[0], 10)
    # END SOLUTION


def _first_layer(name: str) -> tuple[tuple[int, int, int], int]:
    stride, size, pad, filters = FIRST_LAYER_SETTINGS[name]
    return (conv2d_output_shape((3, 128, 128), filters, size, stride, pad),
            conv_param_count(3, filters, (size, size)))


def _stack(name: str) -> tuple[tuple[int, int, int], int]:
    stride, size, pad, filters = STACK_SETTINGS[name]
    return conv_pool_relu_stack((3, 128, 128), 3, filters, size, stride, pad)
