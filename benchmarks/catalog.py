"""Whole catalog, reference solutions, through run_autograder: wall time / `python -c "import torch"`.

Both are measured in this one run on this machine; prints the ratio (target: within 5x).
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
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "solutions", Path(tmp) / "submission" / "exercises")
        env = dict(os.environ, AUTOGRADER_ROOT=tmp)
        wall = timed([str(ROOT / "run_autograder")], env)
        doc = json.loads((Path(tmp) / "results" / "results.json").read_text())
    total = sum(t["max_score"] for t in doc["tests"])
    print(f"import torch: {floor:.2f}s   run_autograder (whole catalog, score {doc['score']:g}/{total:g}): "
          f"{wall:.2f}s   ratio: {wall / floor:.2f}x (target <= 5x)")


if __name__ == "__main__":
    sys.exit(main())
