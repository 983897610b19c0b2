"""Peak memory of one Gradescope run per assignment (`dry-run` of the reference solutions: every process of
the run, shared pages counted once, as the container counts them), as a ratio to one process that only
imports what a grading run imports (torch, sympy, matplotlib, hypothesis, pytest), measured the same way in
this invocation. The target is 450 MB per run.

    .venv/bin/python benchmarks/memory.py [--repeats N] [--assignment NAME ...]
        (each peak: the median of N dry runs, default 3; a peak is one 50 ms sample's maximum, so it varies
        from run to run by some tens of MB)
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import PYTHON, ROOT  # noqa: E402

TARGET_MB = 450
FLOOR = ("import os, torch, sympy, matplotlib, matplotlib.figure, hypothesis, pytest\n"
         "from autograder import dryrun\n"
         "print(dryrun.memory_kb([os.getpid()])[0] / 1024)\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="dry runs per assignment; the median counts (default 3)")
    parser.add_argument("--assignment", action="append", help="only these assignments (default: all)")
    args = parser.parse_args(argv)
    from autograder import dryrun, manifest

    floor = float(subprocess.run([PYTHON, "-c", FLOOR], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout)
    print(f"one process importing torch, sympy, matplotlib, hypothesis, pytest (the floor): {floor:.0f} MB")
    print(f"{'assignment (one Gradescope run)':<34} {'score':>9} {'peak':>8}  ratio  target <= {TARGET_MB} MB  (runs)")
    for spec in manifest.all_assignments(ROOT):
        if args.assignment and spec.name not in args.assignment:
            continue
        runs = [dryrun.dry_run(ROOT / "solutions", assignment=spec.name) for _ in range(max(args.repeats, 1))]
        peak = statistics.median(r["peak_mb"] for r in runs)
        doc = runs[-1]["results"] or {}
        score = f"{doc.get('score', 0):g}/{spec.total:g}"
        met = "met" if peak <= TARGET_MB else "not met"
        print(f"{spec.name:<34} {score:>9} {peak:6.0f} MB  {peak / floor:4.2f}x  {met:<18} "
              "(" + ", ".join(f"{r['peak_mb']:.0f}" for r in runs) + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
