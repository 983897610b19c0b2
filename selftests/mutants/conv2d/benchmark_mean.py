"""The benchmark keeps the mean of the timed runs instead of their median."""
HINT = "benchmark_median"

import statistics
import time

import torch
import torch.nn.functional as F


def benchmark(batch_size=16, repeats=5):
    x = torch.randn(batch_size, 1, 28, 28)
    naive, fast = Conv2d(1, 8, 3), FasterConv2d(1, 8, 3)  # noqa: F821
    with torch.no_grad():
        fast.weight.copy_(naive.weight)
        fast.bias.copy_(naive.bias)

    def mean_time(run):
        run()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return statistics.mean(times)

    with torch.no_grad():
        naive_s = mean_time(lambda: naive(x))
        fast_s = mean_time(lambda: fast(x))
        torch_s = mean_time(lambda: F.conv2d(x, naive.weight, naive.bias))
    return {"naive_seconds": naive_s, "fast_seconds": fast_s, "torch_seconds": torch_s,
            "fast_speedup": naive_s / fast_s, "torch_speedup": fast_s / torch_s}
