"""Believes nn.ConvTranspose1d returns all six entries of A^T z, and pads its output with the zero."""
HINT = "torch_length"


def answer_conv_transpose_length():
    return 6


def answer_dropped_entries():
    return ()


_torch_output = conv_transpose_output


def conv_transpose_output(w, z, stride=2):
    out = _torch_output(w, z, stride)
    return torch.cat([out, torch.zeros(1, dtype=out.dtype)])
