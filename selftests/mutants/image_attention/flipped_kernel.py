"""Flips the key and value kernels, as in a textbook convolution."""
HINT = "flipped_kernel"

_unflipped_loops, _unflipped_vectorized = attention_loops, attention_vectorized


def attention_loops(x, k, v):
    return _unflipped_loops(x, k[:, ::-1, ::-1], v[:, ::-1, ::-1])


def attention_vectorized(x, k, v):
    return _unflipped_vectorized(x, k[:, ::-1, ::-1], v[:, ::-1, ::-1])
