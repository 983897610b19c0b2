"""Gives W_q, W_k and W_v a bias in the given layer (as nn.Linear's default would)."""
HINT = "param_qkv_bias"
KEY_PARTS = ("answer_param_count_128_512",)  # the all-biases value is then off by 6D, not a qkv-bias slip


def param_count_formula():
    return 4 * (D * D + D) + (D * d_ff + d_ff) + (d_ff * D + D) + 4 * D  # noqa: F821
