"""Other ways to meet the same promises: Kaiming-normal weights with a zero bias (a sensible init of
nn.Conv2d's scale); a benchmark with ``from time import perf_counter`` read once per run (lap times),
PyTorch timed through an ``nn.Conv2d`` loaded with the same parameters, ``torch.inference_mode()``
instead of ``no_grad``, and numpy's median."""
from time import perf_counter

import numpy as np
import torch
from torch import nn

_solution_init = Conv2d.__init__  # noqa: F821


def _init(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
    _solution_init(self, in_channels, out_channels, kernel_size, stride, padding, bias)
    with torch.no_grad():
        nn.init.kaiming_normal_(self.weight, nonlinearity="relu")
        if self.bias is not None:
            self.bias.zero_()


Conv2d.__init__ = _init  # noqa: F821


def benchmark(batch_size=16, repeats=5):
    images = torch.randn(batch_size, 1, 28, 28)
    naive = Conv2d(1, 8, 3)  # noqa: F821
    fast = FasterConv2d(1, 8, 3)  # noqa: F821
    reference = nn.Conv2d(1, 8, 3)
    fast.load_state_dict(naive.state_dict())
    reference.load_state_dict(naive.state_dict())
    seconds = {}
    with torch.inference_mode():
        for name, layer in (("naive", naive), ("fast", fast), ("torch", reference)):
            layer(images)
            laps, last = [], perf_counter()
            for _ in range(repeats):
                layer(images)
                now = perf_counter()
                laps.append(now - last)
                last = now
            seconds[name] = float(np.median(laps))
    return {"naive_seconds": seconds["naive"], "fast_seconds": seconds["fast"], "torch_seconds": seconds["torch"],
            "fast_speedup": seconds["naive"] / seconds["fast"], "torch_speedup": seconds["fast"] / seconds["torch"]}
