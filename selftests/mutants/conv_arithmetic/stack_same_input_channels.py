"""Gives every conv in the stack the network input's channels, not the previous module's."""
HINT = "stack_channels"


def conv_pool_relu_stack(input_shape, n_modules, out_channels, kernel_size, stride=1, padding=0, pool_size=2,
                         pool_stride=2):
    shape, n_params = tuple(input_shape), 0
    for _ in range(n_modules):
        n_params += conv_param_count(input_shape[0], out_channels, (kernel_size, kernel_size))
        shape = conv2d_output_shape(shape, out_channels, kernel_size, stride, padding)
        shape = maxpool2d_output_shape(shape, pool_size, pool_stride)
    return shape, n_params
