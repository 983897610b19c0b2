"""Mutation testing of ``solutions/`` against the grading tests, with cosmic-ray
(``pip install -r requirements-dev.txt``). Run by ``python -m autograder check --mutation``.

Per exercise, in a scratch copy of the grader: the solution is copied to ``mut/<exercise>.py``
(so the hidden tests' ``reference(...)`` still loads the untouched solution), cosmic-ray makes
its mutants, those outside ``# BEGIN SOLUTION`` / ``# END SOLUTION`` (task text, signatures) are
skipped, and each remaining one is graded with
``pytest <the exercise's test files> --submission mut -x``. A mutant is killed when a test fails.
Exercises run in parallel; it is slow (one pytest start per mutant) and not part of CI.

Each exercise's report is kept in ``benchmarks/mutation/<exercise>.json`` with the hash of the
solution and tests it measured, so a long run can be resumed (``--resume`` skips exercises whose
kept report still matches) and ``python benchmarks/mutation_table.py`` prints the table.
Survivors that are equivalent mutants (no test can tell them from the solution) are listed in
``benchmarks/mutation/equivalent.json`` ("exercise:line:operator#occurrence": one-line reason) and
excluded from the score.
"""
from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import manifest
from .manifest import ROOT
from .quality import test_files

REPORTS = ROOT / "benchmarks" / "mutation"
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
    measured = measured_hash(exercise)   # of what is copied now, not of what is there when it ends
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
        # the exercise's own assignment: pytest deselects the tests of exercises outside the one it grades
        env["AUTOGRADER_ASSIGNMENT"] = manifest.assignment_of(exercise).name
        env["PYTHONHASHSEED"] = "0"   # as run_autograder: the workers are forked from one import (autograder/zygote.py)
        # The baseline: the unmutated solution must pass in this copy, or every mutant would count as
        # killed by a broken set-up rather than by a test.
        base = subprocess.run(test_cmd, shell=True, cwd=tmp, env=env, capture_output=True, text=True)
        if base.returncode != 0:
            raise RuntimeError(f"mutation testing of {exercise}: the unmutated solution fails its tests in the "
                               f"scratch copy, so no mutant can be scored:\n{(base.stdout + base.stderr)[-2000:]}")
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
                survivors.append({"id": f"{exercise}:{row}:{m['operator_name']}#{m['occurrence']}",
                                  "line": lines[row - 1].strip()[:100]})
            else:
                incompetent += 1
        return {"exercise": exercise, "hash": measured, "limit": limit, "mutants": n,
                "killed": killed, "survivors": survivors, "incompetent": incompetent}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measured_hash(exercise: str) -> str:
    """What a kept report measured: the solution and the exercise's test files."""
    h = hashlib.sha256()
    for rel in [f"solutions/{exercise}.py", *test_files(exercise), f"tests/public/{exercise}_support.py"]:
        path = ROOT / rel
        h.update(rel.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    return h.hexdigest()[:16]


def kept(exercise: str) -> dict | None:
    path = REPORTS / f"{exercise}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def equivalent() -> dict[str, str]:
    path = REPORTS / "equivalent.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def score(report: dict, equiv: dict[str, str]) -> tuple[int, int, list[dict]]:
    """(killed, scored, live survivors), equivalent mutants excluded."""
    live = [s for s in report["survivors"] if s["id"] not in equiv]
    return report["killed"], report["killed"] + len(live), live


def table(reports: list[dict]) -> str:
    equiv = equivalent()
    lines = [f"{'exercise':<18} {'sampled':>7} {'killed':>7} {'equivalent':>10} {'score':>6}  stale?"]
    total_k = total_s = 0
    for r in reports:
        k, n, live = score(r, equiv)
        total_k, total_s = total_k + k, total_s + n
        stale = "" if r.get("hash") == measured_hash(r["exercise"]) else "stale (code changed since)"
        lines.append(f"{r['exercise']:<18} {r['mutants']:>7} {k:>7} {len(r['survivors']) - len(live):>10} "
                     f"{(f'{100 * k / n:.0f}%' if n else 'n/a'):>6}  {stale}")
        lines += [f"      survived {s['id']}: {s['line']}" for s in live]
    lines.append(f"{'overall':<18} {'':>7} {total_k:>7} {'':>10} "
                 f"{(f'{100 * total_k / total_s:.0f}%' if total_s else 'n/a'):>6}")
    return "\n".join(lines)


def main(exercises: list[str], jobs: int | None = None, limit: int = 0, resume: bool = False) -> list[dict]:
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("--mutation needs cosmic-ray: .venv/bin/pip install -r requirements-dev.txt")
        return []
    print(f"\nMutation testing (cosmic-ray) of solutions/ against the grading tests"
          f"{f', at most {limit} mutants per exercise' if limit else ''}:")
    REPORTS.mkdir(parents=True, exist_ok=True)

    def one(ex: str) -> dict:
        old = kept(ex)
        if resume and old and old.get("hash") == measured_hash(ex) and old.get("limit") == limit:
            return old
        try:
            report = run_exercise(ex, limit)
        except RuntimeError as exc:   # a failing baseline: said, and no report kept
            print(exc)
            return None
        (REPORTS / f"{ex}.json").write_text(json.dumps(report, indent=1) + "\n")
        return report

    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        reports = [r for r in pool.map(one, exercises) if r is not None]
    print(table(reports))
    return reports
