"""The benchmark divides the fast time by the slow one, so its "speed-ups" are below 1."""
HINT = "ratio_inverted"

import statistics
import time

import torch
import torch.nn.functional as F


def benchmark(batch_size=16, repeats=5):
    x = torch.randn(batch_size, 1, 28, 28)
    naive, fast = Conv2d(1, 8, 3), FasterConv2d(1, 8, 3)  # noqa: F821

    def median_time(run):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    with torch.no_grad():
        naive_s = median_time(lambda: naive(x))
        fast_s = median_time(lambda: fast(x))
        torch_s = median_time(lambda: F.conv2d(x, fast.weight, fast.bias))
    return {"naive_seconds": naive_s, "fast_seconds": fast_s, "torch_seconds": torch_s,
            "fast_speedup": fast_s / naive_s, "torch_speedup": torch_s / fast_s}
