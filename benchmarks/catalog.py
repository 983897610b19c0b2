"""Whole catalog, reference solutions, through run_autograder: wall time / `python -c "import torch"`.

Every assignment of the manifest is graded the Gradescope way (one run_autograder each); the floor and
the runs are measured in this one run on this machine. Prints each assignment's time and ratio and the
whole catalog's (target: within 5x), and the share no test can shrink: the imports each run pays.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    python = str(ROOT / ".venv" / "bin" / "python")
    timed([python, "-c", "import torch"])  # warm the file cache for both measurements
    floor = min(timed([python, "-c", "import torch"]) for _ in range(3))
    sys.path.insert(0, str(ROOT))
    from autograder import manifest

    # What every grading run pays before its first test: the grader's own imports (the worker's
    # overlap them). Printed so the ratio can be read against what no test can make faster.
    imports = min(timed([python, "-c", "import torch, sympy, hypothesis, numpy, pytest"]) for _ in range(3))
    print(f"import torch: {floor:.2f}s   a grading process's imports (torch, sympy, hypothesis, numpy, "
          f"pytest): {imports:.2f}s = {imports / floor:.2f}x")
    wall_all = 0.0
    for spec in manifest.all_assignments(ROOT):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(ROOT / "solutions", Path(tmp) / "submission" / "exercises")
            env = dict(os.environ, AUTOGRADER_ROOT=tmp, AUTOGRADER_ASSIGNMENT=spec.name)
            env.pop("AUTOGRADER_EXERCISES", None)
            wall = timed([str(ROOT / "run_autograder")], env)
            doc = json.loads((Path(tmp) / "results" / "results.json").read_text())
        wall_all += wall
        print(f"  {spec.name:<24} {len(spec.exercises):>2} exercises, score {doc['score']:g}/{spec.total:g}: "
              f"{wall:6.2f}s   ratio {wall / floor:5.2f}x")
    runs = len(manifest.all_assignments(ROOT))
    print(f"whole catalog: {wall_all:.2f}s   ratio: {wall_all / floor:.2f}x (target <= 5x); "
          f"the {runs} runs' imports alone: {runs * imports / floor:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
