"""Batch grading throughput: ``python -m autograder grade`` on N copies (default 50) of a mixed set
(reference, stub, two catalogued mutants), graded on conv_arithmetic only unless
AUTOGRADER_EXERCISES says otherwise.

Prints submissions per minute and the per-submission wall time (batch time / N) as a ratio to one
``run_autograder`` call of the reference on the same machine, measured in this one run.
A ratio below 1 means the cores are shared well; never a pass/fail test.

    .venv/bin/python benchmarks/batch.py [--copies 50] [--jobs N]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.regenerate import mutant_sources, patched  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    os.environ.setdefault("AUTOGRADER_EXERCISES", "conv_arithmetic")
    exercise = os.environ["AUTOGRADER_EXERCISES"].split(",")[0]
    solution = (ROOT / "solutions" / f"{exercise}.py").read_text()
    mix = {"reference": solution, "stub": (ROOT / "exercises" / f"{exercise}.py").read_text()}
    for name, src in mutant_sources(ROOT, exercise)[:2]:
        mix[f"mutant-{name}"] = patched(solution, src)
    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        kinds = list(mix)
        for i in range(args.copies):
            kind = kinds[i % len(kinds)]
            folder = tmp / "subs" / f"{i:03d}-{kind}"
            folder.mkdir(parents=True)
            (folder / f"{exercise}.py").write_text(mix[kind] + f"\n# copy {i}\n")
        single = tmp / "single"
        (single / "submission").mkdir(parents=True)
        (single / "submission" / f"{exercise}.py").write_text(solution)
        start = time.perf_counter()
        subprocess.run([str(ROOT / "run_autograder")], check=True, capture_output=True,
                       env=dict(os.environ, AUTOGRADER_ROOT=str(single)))
        one = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([python, "-m", "autograder", "grade", str(tmp / "subs"), "--out", str(tmp / "out"),
                        "--jobs", str(args.jobs), "--force", "--no-progress"], check=True, cwd=ROOT,
                       capture_output=True)
        wall = time.perf_counter() - start
        rows = json.loads((tmp / "out" / "results.json").read_text())["submissions"]
    failures = sum(r["status"] != "ok" for r in rows)
    per = wall / args.copies
    print(f"exercises: {os.environ['AUTOGRADER_EXERCISES']}   mix: {', '.join(kinds)}   "
          f"jobs: {args.jobs}   cores: {os.cpu_count()}")
    print(f"one run_autograder (reference): {one:.2f}s")
    print(f"batch of {args.copies}: {wall:.1f}s = {args.copies / wall * 60:.1f} submissions/minute, "
          f"{per:.2f}s per submission = {per / one:.2f}x one run_autograder call "
          f"({failures} grading failure(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
