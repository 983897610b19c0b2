"""Follows only the input's height through the stack and reports it for the width too (assumes a square image)."""
HINT = "stack_square"


def conv_pool_relu_stack(input_shape, n_modules, out_channels, kernel_size, stride=1, padding=0, pool_size=2,
                         pool_stride=2):
    channels, side = input_shape[0], input_shape[1]
    n_params = 0
    for _ in range(n_modules):
        n_params += out_channels * channels * kernel_size * kernel_size + out_channels
        side = conv_output_length(side, kernel_size, stride, padding)  # noqa: F821
        side = conv_output_length(side, pool_size, pool_stride)  # noqa: F821
        channels = out_channels
    return (channels, side, side), n_params
