"""Feeds the FC layer only the channel count instead of the whole flattened volume."""
HINT = "fc_flatten"


def fc_param_count(input_shape, n_outputs, bias=True):
    return input_shape[0] * n_outputs + (n_outputs if bias else 0)
