"""Builds every module's pooling as the problem's 2x2 window with stride 2, whatever pool_size and pool_stride say."""
HINT = "stack_pool_settings"


def conv_pool_relu_stack(input_shape, n_modules, out_channels, kernel_size, stride=1, padding=0, pool_size=2,
                         pool_stride=2):
    shape, n_params = tuple(input_shape), 0
    for _ in range(n_modules):
        n_params += conv_param_count(shape[0], out_channels, (kernel_size, kernel_size))  # noqa: F821
        shape = conv2d_output_shape(shape, out_channels, kernel_size, stride, padding)  # noqa: F821
        shape = maxpool2d_output_shape(shape, 2, 2)  # noqa: F821
    return shape, n_params
