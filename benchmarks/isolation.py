"""The cost of isolation: the whole catalog graded with the reference solutions three ways, in one run.

1. in-process (a student's own pytest),
2. worker process (`--worker`: student code in a separate, limited process),
3. run_autograder (Gradescope's path: as root, the worker also runs as the sandbox user with
   no network, and the grader's private files are locked away).

Prints each wall time and the ratios to the in-process time.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import PYTHON, ROOT, run_autograder, timed  # noqa: E402


def main() -> None:
    from autograder import manifest, sandbox

    timed([PYTHON, "-c", "import torch"])  # warm the file cache
    local = worker = full = 0.0
    for spec in manifest.all_assignments(ROOT):   # the whole catalog: every assignment
        grade = [PYTHON, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "--submission", "solutions",
                 "--assignment", spec.name]
        local += timed(grade)
        worker += timed(grade + ["--worker"])
        full += run_autograder(spec.name)[0]
    print(f"in-process {local:.2f}s   worker {worker:.2f}s ({worker / local:.2f}x)   "
          f"run_autograder {full:.2f}s ({full / local:.2f}x; {sandbox.status() if sandbox.available() else 'no sandbox user'})")


if __name__ == "__main__":
    main()
