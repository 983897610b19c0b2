"""Takes a missing stride to mean 1 instead of the kernel size."""
HINT = "default_stride"

_reference_max_pool, _reference_avg_pool = max_pool, avg_pool


def max_pool(x, kernel_size, stride=None, padding=0):
    return _reference_max_pool(x, kernel_size, 1 if stride is None else stride, padding)


def avg_pool(x, kernel_size, stride=None, padding=0):
    return _reference_avg_pool(x, kernel_size, 1 if stride is None else stride, padding)
