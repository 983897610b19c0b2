"""The catalog graded with the reference solutions through run_autograder, as a ratio to
`python -c "import torch"` (the floor), both measured in this one run on this machine.

Gradescope grades one assignment per run, so the target (within 5x of the floor) is read per run:
each assignment's time is what a student waits for. The whole catalog, the runs one after another,
is printed too, with the share no test can shrink: the imports every run pays before its first test.
Beside the wall times: CPU seconds of every process of a run (grader, worker, the grader's isolated
checks), as a ratio to the CPU seconds of `import torch`, the median of the repeats (less moved by load).

    .venv/bin/python benchmarks/catalog.py [--repeats N] [--spawn-baseline]
        (each time: the fastest of N runs, default 1; --spawn-baseline also grades each assignment with
        spawned workers, AUTOGRADER_FORKSERVER=0, and prints the CPU ratio of the fork server to them)
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import PYTHON, ROOT, run_autograder, timed, timed_cpu  # noqa: E402

TARGET = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs per assignment; the fastest counts (default 1)")
    parser.add_argument("--spawn-baseline", action="store_true",
                        help="also grade each assignment with spawned workers (AUTOGRADER_FORKSERVER=0, each worker "
                             "its own interpreter and imports) and print the CPU ratio of the two modes")
    args = parser.parse_args(argv)
    from autograder import manifest

    timed([PYTHON, "-c", "import torch"])  # warm the file cache for both measurements
    floors = [timed_cpu([PYTHON, "-c", "import torch"]) for _ in range(3)]
    floor, floor_cpu = min(f[0] for f in floors), min(f[1] for f in floors)
    imports = min(timed([PYTHON, "-c", "import torch, sympy, hypothesis, numpy, pytest"]) for _ in range(3))
    print(f"import torch (the floor): {floor:.2f}s; a grading process's imports (torch, sympy, hypothesis, "
          f"numpy, pytest): {imports:.2f}s = {imports / floor:.2f}x")
    print(f"import torch, CPU seconds of the process: {floor_cpu:.2f}s")
    print(f"{'assignment (one Gradescope run)':<34} {'score':>9} {'time':>7}  ratio (target <= {TARGET:g}x)"
          f"  {'CPU':>7}  CPU ratio (median of --repeats)")
    total, worst, specs = 0.0, 0.0, manifest.all_assignments(ROOT)
    for spec in specs:
        runs = [run_autograder(spec.name) for _ in range(max(args.repeats, 1))]
        wall, doc, _ = min(runs, key=lambda r: r[0])
        cpu = statistics.median(r[2] for r in runs)
        total += wall
        worst = max(worst, wall / floor)
        score = f"{doc['score']:g}/{spec.total:g}"
        print(f"{spec.name:<34} {score:>9} {wall:6.2f}s  {wall / floor:5.2f}x  {cpu:6.2f}s  {cpu / floor_cpu:5.2f}x")
        if args.spawn_baseline:
            os.environ["AUTOGRADER_FORKSERVER"] = "0"
            try:
                spawned = statistics.median(run_autograder(spec.name)[2] for _ in range(max(args.repeats, 1)))
            finally:
                del os.environ["AUTOGRADER_FORKSERVER"]
            print(f"{'  with spawned workers (baseline)':<34} {'':>9} {'':>7}  {'':>6}  {spawned:6.2f}s  "
                  f"{spawned / floor_cpu:5.2f}x  (fork server / spawned: {cpu / spawned:.2f})")
    print(f"every assignment within {TARGET:g}x: {'yes' if worst <= TARGET else 'no'} (slowest {worst:.2f}x)")
    print(f"whole catalog, the {len(specs)} runs one after another: {total:.2f}s = {total / floor:.2f}x "
          f"(of which the runs' imports: {len(specs) * imports / floor:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
