"""Mutation testing of ``solutions/`` against the grading tests, with cosmic-ray
(``pip install -r requirements-dev.txt``). Run by ``python -m autograder check --mutation``.

Per exercise, in a scratch copy of the grader: the solution is copied to ``mut/<exercise>.py``
(so the hidden tests' ``reference(...)`` still loads the untouched solution), cosmic-ray makes
its mutants, those outside ``# BEGIN SOLUTION`` / ``# END SOLUTION`` (task text, signatures) are
skipped, and each remaining one is graded with
``pytest <the exercise's test files> --submission mut -x``. A mutant is killed when a test fails.
Exercises run in parallel; it is slow (one pytest start per mutant) and not part of CI.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .manifest import ROOT
from .quality import test_files

COPY = ("autograder", "tests", "solutions", "assignments.toml", "conftest.py", "pyproject.toml")


def solution_lines(source: str) -> set[int]:
    lines, inside = set(), False
    for i, line in enumerate(source.splitlines(), 1):
        if "# BEGIN SOLUTION" in line:
            inside = True
        elif "# END SOLUTION" in line:
            inside = False
        elif inside:
            lines.add(i)
    return lines


def _skip_outside(session: Path, keep: set[int], limit: int) -> int:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    with use_db(str(session), WorkDB.Mode.open) as db:
        items = list(db.work_items)
        inside = [w for w in items if w.mutations[0].start_pos[0] in keep]
        if limit and len(inside) > limit:   # an evenly spaced sample
            step = len(inside) / limit
            inside = [inside[int(i * step)] for i in range(limit)]
        chosen = {w.job_id for w in inside}
        skip = [w.job_id for w in items if w.job_id not in chosen]
        if skip:
            db.set_multiple_results(skip, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
        return len(chosen)


def run_exercise(exercise: str, limit: int = 0, timeout: float = 120.0) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"mutation-{exercise}-"))
    try:
        for part in COPY:
            src = ROOT / part
            if src.is_dir():
                shutil.copytree(src, tmp / part, ignore=shutil.ignore_patterns("__pycache__"))
            elif src.is_file():
                shutil.copyfile(src, tmp / part)
        (tmp / "mut").mkdir()
        source = (ROOT / "solutions" / f"{exercise}.py").read_text()
        (tmp / "mut" / f"{exercise}.py").write_text(source)
        test_cmd = " ".join([shlex.quote(sys.executable), "-m", "pytest", *test_files(exercise), "-x", "-q",
                             "-p", "no:cacheprovider", "--submission", "mut"])
        (tmp / "cr.toml").write_text(
            "[cosmic-ray]\n"
            f'module-path = "mut/{exercise}.py"\n'
            f"timeout = {timeout}\n"
            "excluded-modules = []\n"
            f"test-command = {json.dumps(test_cmd)}\n\n"
            "[cosmic-ray.distributor]\nname = \"local\"\n")
        cr = str(Path(sys.executable).with_name("cosmic-ray"))
        env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_EXERCISES"}
        subprocess.run([cr, "init", "cr.toml", "session.sqlite"], cwd=tmp, check=True, env=env,
                       capture_output=True)
        n = _skip_outside(tmp / "session.sqlite", solution_lines(source), limit)
        subprocess.run([cr, "exec", "cr.toml", "session.sqlite"], cwd=tmp, check=True, env=env, capture_output=True)
        dump = subprocess.run([cr, "dump", "session.sqlite"], cwd=tmp, check=True, env=env, capture_output=True,
                              text=True).stdout
        killed, survivors, incompetent = 0, [], 0
        lines = source.splitlines()
        for line in dump.splitlines():
            item, result = json.loads(line)
            if not result or result.get("worker_outcome") == "skipped":
                continue
            outcome = result.get("test_outcome")
            m = item["mutations"][0]
            if outcome == "killed":
                killed += 1
            elif outcome == "survived":
                row = m["start_pos"][0]
                survivors.append(f"line {row}: {m['operator_name']} #{m['occurrence']}: "
                                 f"{lines[row - 1].strip()[:80]}")
            else:
                incompetent += 1
        return {"exercise": exercise, "mutants": n, "killed": killed, "survivors": survivors,
                "incompetent": incompetent}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(exercises: list[str], jobs: int | None = None, limit: int = 0) -> list[dict]:
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("--mutation needs cosmic-ray: .venv/bin/pip install -r requirements-dev.txt")
        return []
    print(f"\nMutation testing (cosmic-ray) of solutions/ against the grading tests"
          f"{f', at most {limit} mutants per exercise' if limit else ''}:")
    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        reports = list(pool.map(lambda ex: run_exercise(ex, limit), exercises))
    total = sum(r["killed"] + len(r["survivors"]) for r in reports)
    for r in reports:
        scored = r["killed"] + len(r["survivors"])
        share = f"{100 * r['killed'] / scored:.0f}%" if scored else "n/a"
        print(f"  {r['exercise']:<18} killed {r['killed']}/{scored} ({share}), "
              f"{r['incompetent']} incompetent (did not run)")
        for s in r["survivors"]:
            print(f"      survived: {s}")
    killed = sum(r["killed"] for r in reports)
    print(f"  overall: {killed}/{total} killed" + (f" ({100 * killed / total:.0f}%)" if total else ""))
    return reports
