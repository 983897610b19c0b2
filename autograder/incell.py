"""``check("<exercise>")`` and ``check_all()`` for a student working in Jupyter or Colab.

The code under test is what the kernel ran: the raw source of every cell executed so far, in order,
extracted by :func:`autograder.notebook.extract_cells`, the function the grader uses on a submitted
notebook (only definitions, imports and constants; the last definition of a name wins). It is
written to a temporary ``exercises/`` folder and graded by the exercise's public tests in a
``pytest`` subprocess, exactly as ``pytest`` in a terminal would grade it (the same feedback:
expected vs got, the smallest failing input, the hint). The result shows as HTML in the notebook and
as text elsewhere.
"""
from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import notebook

SKIP_MARKERS = ("autograder.incell", "check(", "check_all(")


def _folder() -> Path:
    """The unzipped student folder: the working directory or a parent that has exercises/ and tests/."""
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "tests" / "public").is_dir() and (folder / "exercises").is_dir():
            return folder
    raise RuntimeError("check() needs the unzipped student.zip folder (with exercises/ and tests/) as the "
                       "working directory; run the set-up cell first.")


def _kernel_cells() -> list[tuple[str, str]]:
    try:
        ip = get_ipython()  # noqa: F821  (defined inside IPython)
    except NameError:
        return []
    raw = list(ip.history_manager.input_hist_raw)
    cells = []
    for number, source in enumerate(raw):
        text = source.strip()
        if not text:
            continue
        lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        if any(m in text for m in SKIP_MARKERS[:1]) or (lines and all(line.startswith(SKIP_MARKERS[1:])
                                                                     for line in lines)):
            continue   # the set-up cell and the check cells
        cells.append((f"In [{number}]", source))
    return cells


class Report:
    """What check() returns: rich HTML in a notebook, plain text elsewhere."""

    def __init__(self, rows: list[dict], notes: list[str], title: str):
        self.rows, self.notes, self.title = rows, notes, title

    @property
    def score(self) -> float:
        return sum(r["score"] for r in self.rows)

    @property
    def max_score(self) -> float:
        return sum(r["max_score"] for r in self.rows)

    def __repr__(self) -> str:
        lines = [f"{self.title}: {self.score:g} / {self.max_score:g}"]
        lines += [f"  note: {n}" for n in self.notes]
        for r in self.rows:
            mark = "PASS" if r["score"] >= r["max_score"] else "FAIL"
            lines.append(f"  [{mark}] {r['name']} ({r['score']:g}/{r['max_score']:g})")
            if mark == "FAIL" and r.get("output"):
                lines += ["      " + line for line in r["output"].splitlines()[:40]]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        full = self.max_score and self.score >= self.max_score
        colour = "#1a7f37" if full else "#b35900"
        out = [f"<div style='font-family:sans-serif'><h3 style='color:{colour};margin:4px 0'>"
               f"{html.escape(self.title)}: {self.score:g} / {self.max_score:g}</h3>"]
        if self.notes:
            out.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        out.append("<table style='border-collapse:collapse'>")
        for r in self.rows:
            ok = r["score"] >= r["max_score"]
            out.append(f"<tr><td style='padding:2px 8px'>{'&#10004;' if ok else '&#10008;'}</td>"
                       f"<td style='padding:2px 8px'>{html.escape(r['name'])}</td>"
                       f"<td style='padding:2px 8px'>{r['score']:g} / {r['max_score']:g}</td></tr>")
            if not ok and r.get("output"):
                out.append("<tr><td></td><td colspan='2'><pre style='white-space:pre-wrap;background:#f6f8fa;"
                           f"padding:6px;margin:2px 0'>{html.escape(r['output'][:6000])}</pre></td></tr>")
        out.append("</table></div>")
        return "".join(out)


def _grade(exercises: list[str] | None, cells: list[tuple[str, str]] | None = None,
           timeout: float = 1800, assignment: str | None = None) -> Report:
    from . import manifest

    folder = _folder()
    stubs = notebook.stubs_of(folder, [p.stem for p in sorted((folder / "exercises").glob("*.py"))])
    wanted = exercises or [ex for ex in manifest.load(folder, assignment).exercises if ex in stubs]
    unknown = [ex for ex in wanted if ex not in stubs]
    if unknown:
        raise ValueError(f"no exercise named {', '.join(unknown)} here (known: {', '.join(stubs)})")
    got = notebook.extract_cells(_kernel_cells() if cells is None else cells, stubs)
    notes = list(got.notes)
    work = Path(tempfile.mkdtemp(prefix="check-"))
    try:
        sub = work / "exercises"
        sub.mkdir()
        if (folder / "exercises" / "assets").is_dir():
            shutil.copytree(folder / "exercises" / "assets", sub / "assets")
        for ex in wanted:
            if ex in got.modules:
                (sub / f"{ex}.py").write_text(got.modules[ex])
            else:
                notes.append(f"{ex}: none of its functions has been run in this notebook yet, so it scores 0 "
                             "(run its code cells first).")
        tests = [str(p) for ex in wanted for p in sorted((folder / "tests" / "public").glob(f"test_{ex}*.py"))]
        results = work / "results.json"
        env = dict(os.environ, AUTOGRADER_EXERCISES=",".join(wanted))
        proc = subprocess.run([sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider",
                               "--submission", str(sub), "--gradescope-results", str(results)],
                              cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
        if not results.is_file():
            raise RuntimeError(f"the tests did not run:\n{(proc.stdout + proc.stderr)[-3000:]}")
        doc = json.loads(results.read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [{"name": t.get("name", "?"), "score": float(t.get("score", 0)), "max_score": float(t.get("max_score", 0)),
             "output": t.get("output", ""), "exercise": (t.get("extra_data") or {}).get("exercise", "")}
            for t in doc.get("tests", []) if (t.get("extra_data") or {}).get("exercise") in wanted]
    title = wanted[0] if exercises and len(wanted) == 1 else "all exercises"
    return Report(rows, notes, title)


def check(exercise: str) -> Report:
    """Grade the code this notebook has run for ``exercise`` with its public tests."""
    return _grade([exercise])


class Table(Report):
    def _by_exercise(self) -> list[tuple[str, float, float]]:
        out: dict[str, list[float]] = {}
        for r in self.rows:
            pair = out.setdefault(r["exercise"], [0.0, 0.0])
            pair[0] += r["score"]
            pair[1] += r["max_score"]
        return [(ex, s, m) for ex, (s, m) in out.items()]

    def __repr__(self) -> str:
        lines = [f"note: {n}" for n in self.notes] + [f"{'exercise':<20} {'points':>12}"]
        lines += [f"{ex:<20} {s:>6g} / {m:<5g}" for ex, s, m in self._by_exercise()]
        lines.append(f"{'total':<20} {self.score:>6g} / {self.max_score:<5g}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td style='padding:2px 8px'>{html.escape(ex)}</td><td style='padding:2px 8px'>"
                       f"{s:g} / {m:g}</td></tr>" for ex, s, m in self._by_exercise())
        return (f"<table style='font-family:sans-serif'><tr><th>exercise</th><th>points</th></tr>{rows}"
                f"<tr><th>total</th><th>{self.score:g} / {self.max_score:g}</th></tr></table>")


def check_all(assignment: str | None = None) -> Table:
    """Grade every exercise of the assignment (default: the folder's own) with its public tests; a table
    of points per exercise."""
    report = _grade(None, assignment=assignment)
    return Table(report.rows, report.notes, report.title)
