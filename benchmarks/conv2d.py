"""Reference convolutions on the problem's batch (16 images 1x28x28, 8 filters 3x3): one run, three ratios.

Prints the median forward time (under torch.no_grad) of the reference Conv2d (loops), the reference
FasterConv2d (unfold + one matmul) and F.conv2d with the same weights, and the ratios
FasterConv2d / F.conv2d (target: within 3x) and Conv2d / FasterConv2d. Runs with one torch thread,
as grading does (the worker sets OMP_NUM_THREADS=1); pass --threads N to change it.

    .venv/bin/python benchmarks/conv2d.py [--threads N] [--repeats R]
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent


def load_reference():
    spec = importlib.util.spec_from_file_location("_reference_conv2d", ROOT / "solutions" / "conv2d.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median_seconds(run, repeats: int, inner: int) -> float:
    """Median over ``repeats`` of the mean time of ``inner`` back-to-back calls (after a warm-up)."""
    for _ in range(max(1, inner // 4)):
        run()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            run()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (grading uses 1)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    ref = load_reference()
    torch.manual_seed(0)
    x = torch.randn(16, 1, 28, 28)
    naive, fast = ref.Conv2d(1, 8, 3), ref.FasterConv2d(1, 8, 3)
    with torch.no_grad():
        fast.weight.copy_(naive.weight)
        fast.bias.copy_(naive.bias)
        expected = F.conv2d(x, naive.weight, naive.bias)
        assert torch.allclose(fast(x), expected, atol=1e-5) and torch.allclose(naive(x), expected, atol=1e-5)
        t_torch = median_seconds(lambda: F.conv2d(x, naive.weight, naive.bias), args.repeats, 200)
        t_fast = median_seconds(lambda: fast(x), args.repeats, 200)
        t_naive = median_seconds(lambda: naive(x), args.repeats, 3)
    print(f"torch {torch.__version__}, torch.get_num_threads() = {torch.get_num_threads()}, "
          f"batch (16, 1, 28, 28), 8 filters 3x3, median of {args.repeats} repeats")
    print(f"  Conv2d (loops)        {t_naive * 1e3:9.3f} ms")
    print(f"  FasterConv2d          {t_fast * 1e3:9.3f} ms")
    print(f"  F.conv2d              {t_torch * 1e3:9.3f} ms")
    ratio = t_fast / t_torch
    print(f"FasterConv2d / F.conv2d: {ratio:.2f}x (target <= 3x: {'ok' if ratio <= 3 else 'TOO SLOW'})")
    print(f"Conv2d / FasterConv2d:   {t_naive / t_fast:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
