"""Helpers for the harness's self-tests: grade a folder the way a student or Gradescope would."""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder import manifest, results
from autograder.regenerate import alternative_sources, mutant_sources, patched

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = (ROOT / "solutions" / "conv_arithmetic.py").read_text()
FULL = manifest.load(ROOT).total               # the default assignment
ASSIGNMENTS = manifest.all_assignments(ROOT)


EXERCISES = sorted(p.stem for p in (ROOT / "solutions").glob("*.py") if not p.name.startswith("_"))


def test_files(exercise: str) -> list[str]:
    """The public and hidden grading modules of one exercise."""
    return [str(p.relative_to(ROOT)) for p in sorted((ROOT / "tests").glob(f"*/test_{exercise}.py"))
            + sorted((ROOT / "tests").glob(f"*/test_{exercise}_hidden.py"))]


def grade(folder: Path, tmp: Path, worker: bool = False, env: dict | None = None, exercise: str | None = None,
          assignment: str | None = None) -> dict:
    """Run the grading tests (all of an assignment's, default the manifest's default, or one exercise's)
    on ``folder`` in a pytest subprocess; return the validated results.json."""
    out = tmp / f"results-{len(list(tmp.glob('results-*')))}.json"
    paths = test_files(exercise) if exercise else ["tests"]
    if exercise and not assignment:
        assignment = manifest.assignment_of(exercise, ROOT).name
    cmd = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider", "--submission", str(folder),
           "--gradescope-results", str(out), *(["--worker"] if worker else []),
           *(["--assignment", assignment] if assignment else [])]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
    assert out.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(out.read_text())
    results.validate(doc)
    doc["_stdout"] = proc.stdout
    return doc


def write_submission(tmp: Path, source: str, name: str = "conv_arithmetic") -> Path:
    folder = tmp / "exercises"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(source)
    return folder


def run_autograder(root: Path, env: dict | None = None, args: list[str] | None = None) -> dict:
    proc = subprocess.run([str(ROOT / "run_autograder"), *(args or [])], capture_output=True, text=True,
                          env={**os.environ, "AUTOGRADER_ROOT": str(root), **(env or {})})
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((root / "results" / "results.json").read_text())
    results.validate(doc)
    return doc


def without_timing(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in ("execution_time", "_stdout")}


def solution_source(exercise: str) -> str:
    return (ROOT / "solutions" / f"{exercise}.py").read_text()


def hints_of(exercise: str) -> dict:
    """Every exercise keeps its hint texts in ``tests/public/<exercise>_support.py`` as ``HINTS``."""
    import importlib

    return importlib.import_module(f"tests.public.{exercise}_support").HINTS


# Tests marked `sandbox` grade through run_autograder as root, so student code runs as the one sandbox
# user. Runs of that user share its process limit (the fork-bomb attack fills it) and the check that
# every process of the user is gone afterwards, so under pytest-xdist they take this lock and run one
# at a time, while the other workers go on with the rest.
SANDBOX_LOCK = Path(tempfile.gettempdir()) / "autograder-selftests-sandbox.lock"


@pytest.fixture(autouse=True)
def _one_sandbox_run_at_a_time(request):
    if request.node.get_closest_marker("sandbox") is None:
        yield
        return
    with open(SANDBOX_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


MUTANTS = mutant_sources(ROOT, "conv_arithmetic")
ALTERNATIVES = alternative_sources(ROOT, "conv_arithmetic")


@pytest.fixture
def mutant_source():
    def make(name: str) -> str:
        return patched(SOLUTION, dict(MUTANTS)[name])
    return make
