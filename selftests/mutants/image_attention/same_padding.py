"""Pads the image with zeros so that the output keeps the input's H x W."""
HINT = "no_padding"

_valid_loops = attention_loops


def attention_loops(x, k, v):
    return _valid_loops(np.pad(x, ((1, 1), (1, 1), (0, 0))), k, v)
