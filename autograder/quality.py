"""Grader quality report: ``python -m autograder check [--exercise NAME] [--mutation]``.

For every exercise (or those named): the reference solution scores full marks, the untouched
stub scores 0, every catalogued mutant (``selftests/mutants/<exercise>/*.py``) loses points, its
feedback carries its hint's text and no other hint of the exercise (hint precision: a hint shown
for another mistake misleads), and every catalogued alternative
(``selftests/alternatives/<exercise>/*.py``) scores full marks. Each case is graded like the
self-tests do: ``python -m pytest <the exercise's test files> --submission DIR
--gradescope-results FILE``, cases in parallel across the cores. Ends with a table; exit 1 when
a reference, stub or alternative is graded wrong, a mutant survives or its hint is missing.

``--mutation`` also runs cosmic-ray (see ``autograder/mutation.py``).
"""
from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import manifest
from .manifest import ROOT
from .regenerate import alternative_sources, mutant_sources, patched


@dataclass
class Case:
    exercise: str
    kind: str        # reference | stub | mutant | alternative
    name: str
    source: str
    hint: str = ""   # mutants: the hint text their feedback must carry
    hint_id: str = ""
    others: dict | None = None   # mutants: every other hint of the exercise, id -> text (none may be shown)


def exercises(root: Path = ROOT) -> list[str]:
    return sorted(p.stem for p in (root / "solutions").glob("*.py") if not p.name.startswith("_"))


def test_files(exercise: str, root: Path = ROOT) -> list[str]:
    return [str(p.relative_to(root)) for p in sorted((root / "tests").glob(f"*/test_{exercise}.py"))
            + sorted((root / "tests").glob(f"*/test_{exercise}_hidden.py"))]


def hints_of(exercise: str) -> dict:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"tests.public.{exercise}_support").HINTS


def cases(exercise: str, root: Path = ROOT) -> list[Case]:
    solution = (root / "solutions" / f"{exercise}.py").read_text()
    out = [Case(exercise, "reference", "solutions", solution),
           Case(exercise, "stub", "exercises", (root / "exercises" / f"{exercise}.py").read_text())]
    hints = hints_of(exercise)
    for name, src in mutant_sources(root, exercise):
        m = re.search(r'^HINT = "(\w+)"', src, re.M)
        own = m.group(1) if m else "?"
        out.append(Case(exercise, "mutant", name, patched(solution, src), hints.get(own, "?"), own,
                        {k: v for k, v in hints.items() if k != own and v != hints.get(own)}))
    for name, src in alternative_sources(root, exercise):
        out.append(Case(exercise, "alternative", name, patched(solution, src)))
    return out


def grade_case(case: Case, root: Path = ROOT) -> dict:
    """Grade one case on its exercise's tests; returns score and failing outputs."""
    with tempfile.TemporaryDirectory(prefix="check-") as tmp:
        folder = Path(tmp) / "exercises"
        folder.mkdir()
        (folder / f"{case.exercise}.py").write_text(case.source)
        out = Path(tmp) / "results.json"
        cmd = [sys.executable, "-m", "pytest", *test_files(case.exercise, root), "-q", "-p", "no:cacheprovider",
               "--submission", str(folder), "--gradescope-results", str(out),
               "--assignment", manifest.assignment_of(case.exercise, root).name]
        env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_EXERCISES"}
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
        if not out.is_file():
            return {"score": None, "failed": [], "error": (proc.stdout + proc.stderr)[-2000:]}
        doc = json.loads(out.read_text())
    failed = [t for t in doc["tests"] if t["score"] < t["max_score"]]
    return {"score": doc["score"], "failed": failed, "error": ""}


def foreign_hints(case: Case, graded: dict) -> list[str]:
    """The ids of the other hints of the exercise that the mutant's feedback shows: each one is a
    diagnosis that does not name the mutant's mistake (hint precision counts the mutants with none)."""
    shown = "\n".join(t["output"].partition("Hint:")[2] for t in graded["failed"])   # a hint ends the feedback
    return sorted(k for k, text in (case.others or {}).items() if text and text in shown)


def verdict(case: Case, graded: dict, points: float) -> tuple[bool, str]:
    """(as expected?, why not)."""
    score = graded["score"]
    if score is None:
        return False, "the grading tests did not run: " + graded["error"][-300:]
    if case.kind in ("reference", "alternative"):
        ok = score == points
        return ok, "" if ok else f"scored {score:g}/{points:g}: " + "; ".join(t["name"] for t in graded["failed"])[:300]
    if case.kind == "stub":
        return score == 0, "" if score == 0 else f"the stub scored {score:g}"
    if score >= points:
        return False, "survived (full marks)"
    if not any(case.hint in t["output"] for t in graded["failed"]):
        return False, f"lost points ({score:g}/{points:g}) but no failing test shows its hint"
    foreign = foreign_hints(case, graded)
    if foreign:
        return False, f"shows the hint of another mistake: {', '.join(foreign)} (its own: {case.hint_id})"
    return True, ""


def check(only: list[str] | None = None, jobs: int | None = None, root: Path = ROOT) -> tuple[list[dict], str, bool]:
    names = only or exercises(root)
    unknown = [n for n in names if n not in exercises(root)]
    if unknown:
        raise SystemExit(f"unknown exercise(s): {', '.join(unknown)}")
    all_cases = [c for ex in names for c in cases(ex, root)]
    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        graded = list(pool.map(lambda c: grade_case(c, root), all_cases))
    rows, problems = [], []
    for ex in names:
        pts = manifest.assignment_of(ex, root).exercises[ex]
        row = {"exercise": ex, "points": pts, "reference": "", "stub": "", "mutants_caught": 0, "mutants": 0,
               "alternatives_accepted": 0, "alternatives": 0, "hints_matched": 0, "hints_precise": 0}
        for case, g in zip(all_cases, graded):
            if case.exercise != ex:
                continue
            ok, why = verdict(case, g, pts)
            if not ok:
                problems.append(f"{ex} {case.kind} {case.name}: {why}")
            if case.kind in ("reference", "stub"):
                row[case.kind] = f"{g['score']:g}" if g["score"] is not None else "error"
            elif case.kind == "mutant":
                row["mutants"] += 1
                caught = g["score"] is not None and g["score"] < pts
                row["mutants_caught"] += caught
                row["hints_matched"] += caught and any(case.hint in t["output"] for t in g["failed"])
                row["hints_precise"] += caught and not foreign_hints(case, g)
            else:
                row["alternatives"] += 1
                row["alternatives_accepted"] += ok
        rows.append(row)
    header = f"{'exercise':<18} {'points':>6} {'reference':>9} {'stub':>5} {'mutants caught':>15} " \
             f"{'alternatives accepted':>22} {'hints matched':>14} {'hints precise':>14}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r['exercise']:<18} {r['points']:>6g} {r['reference']:>9} {r['stub']:>5} "
                     f"{r['mutants_caught']:>7}/{r['mutants']:<7} {r['alternatives_accepted']:>11}/"
                     f"{r['alternatives']:<10} {r['hints_matched']:>7}/{r['mutants']:<6} "
                     f"{r['hints_precise']:>7}/{r['mutants']:<6}")
    n = sum(r["mutants"] for r in rows)
    if n:
        lines.append(f"hint precision: {sum(r['hints_precise'] for r in rows)}/{n} mutants show no hint but "
                     f"their own; hint recall: {sum(r['hints_matched'] for r in rows)}/{n} show their own")
    text = "\n".join(lines)
    if problems:
        text = "Problems:\n" + "\n".join("  " + p for p in problems) + "\n\n" + text
    return rows, text, not problems


def main(only: list[str] | None, jobs: int | None, mutation: bool, limit: int = 0, resume: bool = False,
         only_mutation: bool = False) -> int:
    ok = True
    if not only_mutation:
        rows, text, ok = check(only, jobs)
        print(text)
        print("OK: the grader grades every catalogued case as expected" if ok else "FAILED: see the problems above")
    if mutation:
        from . import mutation as mut

        mut.main(only or exercises(), jobs, limit, resume)
    return 0 if ok else 1
