"""The benchmark always builds the problem's batch of 16 images, whatever batch_size says."""
HINT = "benchmark_setting"

import statistics
import time

import torch
import torch.nn.functional as F


def benchmark(batch_size=16, repeats=5):
    x = torch.randn(16, 1, 28, 28)
    naive, fast = Conv2d(1, 8, 3), FasterConv2d(1, 8, 3)  # noqa: F821
    with torch.no_grad():
        fast.weight.copy_(naive.weight)
        fast.bias.copy_(naive.bias)

    def median_time(run):
        run()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    with torch.no_grad():
        naive_s = median_time(lambda: naive(x))
        fast_s = median_time(lambda: fast(x))
        torch_s = median_time(lambda: F.conv2d(x, naive.weight, naive.bias))
    return {"naive_seconds": naive_s, "fast_seconds": fast_s, "torch_seconds": torch_s,
            "fast_speedup": naive_s / fast_s, "torch_speedup": fast_s / torch_s}
