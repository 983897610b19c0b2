"""What the benchmarks share: timing a command, and grading the reference solutions the Gradescope way."""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def timed(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> float:
    """Wall time of ``cmd``; exits with its output if it fails (pytest's 1, some tests failed, is allowed)."""
    return timed_cpu(cmd, env, cwd)[0]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_cpu(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``cmd``: CPU is user + system time of every process it started
    and reaped (the grader, the worker, the grader's isolated checks), which load on the machine moves
    far less than wall time."""
    start, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return time.perf_counter() - start, _children_cpu() - cpu


def run_autograder(assignment: str, submission: Path = ROOT / "solutions") -> tuple[float, dict, float]:
    """Grade ``submission`` for one assignment through run_autograder in a fresh /autograder tree:
    (wall seconds, results.json, CPU seconds of all its processes)."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(submission, Path(tmp) / "submission" / "exercises")
        env = dict(os.environ, AUTOGRADER_ROOT=tmp, AUTOGRADER_ASSIGNMENT=assignment)
        env.pop("AUTOGRADER_EXERCISES", None)
        wall, cpu = timed_cpu([str(ROOT / "run_autograder")], env)
        return wall, json.loads((Path(tmp) / "results" / "results.json").read_text()), cpu
