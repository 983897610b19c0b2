"""How long a worker restart takes (after a time-out, a crash or a recycle): from killing the worker to
the answer of the first call in the new one (its student module imported again), forked from the fork
server (autograder/zygote.py) and, as the baseline, spawned as a new interpreter that imports its own
libraries. Both measured in this one run, with the ratio; the target for the forked restart is 50 ms.

    .venv/bin/python benchmarks/worker_restart.py [--restarts N]   (default 10; the median counts)
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 50.0


def restarts(n: int, folder: Path) -> list[float]:
    from autograder import seam

    executor = seam.WorkerExecutor(folder, probes=["tests.public.conv_arithmetic_support"])
    try:
        assert executor.module("tiny").answer() == 42
        times = []
        for _ in range(n):
            began = time.perf_counter()
            executor.kill()
            executor.ensure_alive()
            assert executor.module("tiny").answer() == 42
            times.append(time.perf_counter() - began)
        return times
    finally:
        executor.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=10, help="restarts measured per kind (default 10)")
    args = parser.parse_args(argv)
    os.environ["PYTHONHASHSEED"] = "0"   # as run_autograder sets it for the grader (the fork server needs it)
    from autograder import seam

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "tiny.py").write_text("def answer():\n    return 42\n")
        spawned = restarts(max(2, args.restarts // 3), Path(tmp))
        if not seam.start_fork_server(probes=["tests.public.conv_arithmetic_support"]):
            raise SystemExit("the fork server did not start")
        try:
            forked = restarts(args.restarts, Path(tmp))
        finally:
            seam.stop_fork_server()
    f, s = statistics.median(forked) * 1000, statistics.median(spawned) * 1000
    print(f"worker restart, forked from the fork server: median {f:.1f} ms of {len(forked)} "
          f"(min {min(forked) * 1000:.1f}, max {max(forked) * 1000:.1f}); target <= {TARGET_MS:g} ms: "
          f"{'met' if f <= TARGET_MS else 'NOT met'}")
    print(f"worker restart, spawned (a new interpreter and its imports): median {s:.1f} ms of {len(spawned)}")
    print(f"ratio forked / spawned: {f / s:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
