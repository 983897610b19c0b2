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
    raise NotImplementedError("conv_output_length: replace this line with your solution (the docstring above says what to return)")


def conv1d_output_shape(input_shape: tuple[int, int], out_channels: int, kernel_size: int, stride: int = 1,
                        padding: int = 0, dilation: int = 1) -> tuple[int, int]:
    """Output shape of ``nn.Conv1d(C_in, out_channels, kernel_size, stride, padding, dilation)``.

    Args:
    - input_shape: (C_in, L)
    - out_channels, kernel_size, stride, padding, dilation: ints, as in ``nn.Conv1d``

    Returns:
    - (C_out, L_out), a tuple of two ints
    """
    raise NotImplementedError("conv1d_output_shape: replace this line with your solution (the docstring above says what to return)")


def conv2d_output_shape(input_shape: tuple[int, int, int], out_channels: int, kernel_size, stride=1, padding=0,
                        dilation=1) -> tuple[int, int, int]:
    """Output shape of ``nn.Conv2d(C_in, out_channels, kernel_size, stride, padding, dilation)``.

    Args:
    - input_shape: (C_in, H, W)
    - kernel_size, stride, padding, dilation: an int, or a pair (along H, along W)

    Returns:
    - (C_out, H_out, W_out), a tuple of three ints
    """
    raise NotImplementedError("conv2d_output_shape: replace this line with your solution (the docstring above says what to return)")


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
    raise NotImplementedError("conv_param_count: replace this line with your solution (the docstring above says what to return)")


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
    raise NotImplementedError("maxpool2d_output_shape: replace this line with your solution (the docstring above says what to return)")


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
    raise NotImplementedError("conv_pool_relu_stack: replace this line with your solution (the docstring above says what to return)")


def fc_param_count(input_shape: tuple[int, ...], n_outputs: int, bias: bool = True) -> int:
    """Parameters of a fully connected layer applied to the flattened ``input_shape`` volume.

    Args:
    - input_shape: the shape of one example before flattening, e.g. (C, H, W)
    - n_outputs: the layer's number of outputs (e.g. the number of classes)

    Returns:
    - the parameter count of ``nn.Linear(prod(input_shape), n_outputs, bias)``
    """
    raise NotImplementedError("fc_param_count: replace this line with your solution (the docstring above says what to return)")


# ----------------------------------------------------------------------------- Part B
# (a) A sequence of length 200 with one channel, i.e. shape (1, 200), goes through a Conv1d
#     with 8 filters of length 4, stride 2 and no padding; each filter has a bias.

def answer_conv1d_200_shape() -> tuple[int, int]:
    """(a) The output shape, as (C, L)."""
    raise NotImplementedError("answer_conv1d_200_shape: replace this line with your solution (the docstring above says what to return)")


def answer_conv1d_200_params() -> int:
    """(a) The number of parameters of the layer, biases included."""
    raise NotImplementedError("answer_conv1d_200_params: replace this line with your solution (the docstring above says what to return)")


# (b) A 28x28 RGB image, i.e. shape (3, 28, 28), goes through a Conv2d with 8 filters of size
#     4x4 (each spanning the 3 input channels), stride 2, no padding, with biases.

def answer_conv2d_28_shape() -> tuple[int, int, int]:
    """(b) The output shape, as (C, H, W)."""
    raise NotImplementedError("answer_conv2d_28_shape: replace this line with your solution (the docstring above says what to return)")


def answer_conv2d_28_params() -> int:
    """(b) The number of parameters of the layer, biases included."""
    raise NotImplementedError("answer_conv2d_28_params: replace this line with your solution (the docstring above says what to return)")


# (c) The input is a 128x128 RGB image, shape (3, 128, 128). For each setting of a first conv
#     layer (square filters, with biases), give the output shape (C, H, W) and its parameter count.
#     i.   stride 1, filter size 3, padding 0, 64 filters
#     ii.  stride 1, filter size 5, padding 2, 16 filters
#     iii. stride 2, filter size 2, padding 0, 32 filters
FIRST_LAYER_SETTINGS = {"i": (1, 3, 0, 64), "ii": (1, 5, 2, 16), "iii": (2, 2, 0, 32)}  # stride, size, pad, filters


def answer_first_layer_i_shape() -> tuple[int, int, int]:
    """(c.i) Output shape."""
    raise NotImplementedError("answer_first_layer_i_shape: replace this line with your solution (the docstring above says what to return)")


def answer_first_layer_i_params() -> int:
    """(c.i) Parameter count."""
    raise NotImplementedError("answer_first_layer_i_params: replace this line with your solution (the docstring above says what to return)")


def answer_first_layer_ii_shape() -> tuple[int, int, int]:
    """(c.ii) Output shape."""
    raise NotImplementedError("answer_first_layer_ii_shape: replace this line with your solution (the docstring above says what to return)")


def answer_first_layer_ii_params() -> int:
    """(c.ii) Parameter count."""
    raise NotImplementedError("answer_first_layer_ii_params: replace this line with your solution (the docstring above says what to return)")


def answer_first_layer_iii_shape() -> tuple[int, int, int]:
    """(c.iii) Output shape."""
    raise NotImplementedError("answer_first_layer_iii_shape: replace this line with your solution (the docstring above says what to return)")


def answer_first_layer_iii_params() -> int:
    """(c.iii) Parameter count."""
    raise NotImplementedError("answer_first_layer_iii_params: replace this line with your solution (the docstring above says what to return)")


# (d) Now three identical modules, each Conv -> 2x2 MaxPool with stride 2 -> ReLU, are stacked on the
#     same (3, 128, 128) input. The conv layers of all three modules use the setting below. Give the
#     shape after the third module and the parameter count of the whole stack.
#     iv.  stride 1, filter size 3, padding 0, 64 filters
#     v.   stride 1, filter size 5, padding 2, 16 filters
#     vi.  stride 2, filter size 2, padding 0, 32 filters
STACK_SETTINGS = {"iv": (1, 3, 0, 64), "v": (1, 5, 2, 16), "vi": (2, 2, 0, 32)}  # stride, size, pad, filters


def answer_stack_iv_shape() -> tuple[int, int, int]:
    """(d.iv) Output shape after the three modules."""
    raise NotImplementedError("answer_stack_iv_shape: replace this line with your solution (the docstring above says what to return)")


def answer_stack_iv_params() -> int:
    """(d.iv) Parameter count of the three modules."""
    raise NotImplementedError("answer_stack_iv_params: replace this line with your solution (the docstring above says what to return)")


def answer_stack_v_shape() -> tuple[int, int, int]:
    """(d.v) Output shape after the three modules."""
    raise NotImplementedError("answer_stack_v_shape: replace this line with your solution (the docstring above says what to return)")


def answer_stack_v_params() -> int:
    """(d.v) Parameter count of the three modules."""
    raise NotImplementedError("answer_stack_v_params: replace this line with your solution (the docstring above says what to return)")


def answer_stack_vi_shape() -> tuple[int, int, int]:
    """(d.vi) Output shape after the three modules."""
    raise NotImplementedError("answer_stack_vi_shape: replace this line with your solution (the docstring above says what to return)")


def answer_stack_vi_params() -> int:
    """(d.vi) Parameter count of the three modules."""
    raise NotImplementedError("answer_stack_vi_params: replace this line with your solution (the docstring above says what to return)")


# (e) A fully connected layer with 10 outputs (and biases) is put after the three modules, on their
#     flattened output. Which of the settings iv, v, vi gives this layer the fewest parameters,
#     and how many parameters does it have then?

def answer_fc_smallest_setting() -> str:
    """(e) One of "iv", "v" or "vi"."""
    raise NotImplementedError("answer_fc_smallest_setting: replace this line with your solution (the docstring above says what to return)")


def answer_fc_smallest_params() -> int:
    """(e) The parameter count of the FC layer for that setting."""
    raise NotImplementedError("answer_fc_smallest_params: replace this line with your solution (the docstring above says what to return)")


def _first_layer(name: str) -> tuple[tuple[int, int, int], int]:
    stride, size, pad, filters = FIRST_LAYER_SETTINGS[name]
    return (conv2d_output_shape((3, 128, 128), filters, size, stride, pad),
            conv_param_count(3, filters, (size, size)))


def _stack(name: str) -> tuple[tuple[int, int, int], int]:
    stride, size, pad, filters = STACK_SETTINGS[name]
    return conv_pool_relu_stack((3, 128, 128), 3, filters, size, stride, pad)
