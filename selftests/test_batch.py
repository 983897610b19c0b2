"""Batch grading (``python -m autograder grade``): a folder of folders and zips, Gradescope's export
layout, a submission that hangs, the CSV / JSON / summary, and the cache on a second run.
Graded on conv_arithmetic only to stay small."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import batch
from autograder.regenerate import patched

from .conftest import MUTANTS, ROOT, SOLUTION

# Runs that use the sandbox user run one at a time (see the lock in conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

STUB = (ROOT / "exercises" / "conv_arithmetic.py").read_text()
ENV = {"AUTOGRADER_EXERCISES": "conv_arithmetic",
       # the hanging submission must hang the whole run, not just one call, to reach the batch limit
       "AUTOGRADER_CALL_TIMEOUT": "1000", "AUTOGRADER_TEST_BUDGET": "1000"}
METADATA = """\
submission_1001:
  :submitters:
  - :name: Ada Lovelace
    :sid: '17'
    :email: ada@example.edu
  :created_at: 2026-11-20 10:00:00.000000000 -08:00
  :score: 0.0
"""


def grade(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade", *args, "--jobs", "2", "--timeout", "75",
                           "--no-progress"], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **ENV},
                          timeout=600)


def read_csv(path: Path) -> dict[str, dict]:
    with open(path, newline="") as fh:
        return {row["submission"]: row for row in csv.DictReader(fh)}


def test_metadata_parser_reads_gradescope_export_fields():
    meta = batch.parse_metadata(METADATA + "submission_1002:\n  :submitters:\n  - :name: \"B, C\"\n    "
                                           ":email: b@x.org\n  - :name: D\n    :email: d@x.org\n")
    assert meta["submission_1001"] == {"name": "Ada Lovelace", "sid": "17", "email": "ada@example.edu"}
    assert meta["submission_1002"]["name"] == "B, C; D" and meta["submission_1002"]["email"] == "b@x.org; d@x.org"


def test_discover_reads_names_for_a_single_export_folder_and_each_layout(tmp_path):
    export = tmp_path / "export"
    (export / "submission_1001").mkdir(parents=True)
    (export / "submission_1001" / "exercises.zip").write_bytes(b"PK")
    (export / "submission_metadata.yml").write_text(METADATA)
    (tmp_path / "zips").mkdir()
    (tmp_path / "zips" / "x.zip").write_bytes(b"PK")
    one = batch.discover([export / "submission_1001"])
    assert [(s.id, s.name, s.email) for s in one] == [("submission_1001", "Ada Lovelace", "ada@example.edu")]
    assert [s.id for s in batch.discover([export, tmp_path / "zips"])] == ["submission_1001", "x"]
    assert batch.submission_hash(one[0]) != batch.submission_hash(batch.discover([tmp_path / "zips"])[0])


def test_batch_grades_folders_zips_export_and_a_hang_then_caches(tmp_path):
    subs = tmp_path / "subs"
    (subs / "ref" / "exercises").mkdir(parents=True)
    (subs / "ref" / "exercises" / "conv_arithmetic.py").write_text(SOLUTION)
    (subs / "stub").mkdir()
    (subs / "stub" / "conv_arithmetic.py").write_text(STUB)
    with zipfile.ZipFile(subs / "mutant.zip", "w") as zf:  # a zip of the exercises/ folder
        zf.writestr("exercises/conv_arithmetic.py", patched(SOLUTION, dict(MUTANTS)["true_division"]))
    (subs / "hang").mkdir()
    (subs / "hang" / "conv_arithmetic.py").write_text("import time\ntime.sleep(3600)\n")
    export = tmp_path / "export"   # Gradescope's "export submissions" layout
    (export / "submission_1001").mkdir(parents=True)
    (export / "submission_1001" / "conv_arithmetic.py").write_text(SOLUTION)
    (export / "submission_metadata.yml").write_text(METADATA)
    out = tmp_path / "out"

    proc = grade([str(subs), str(export), "--out", str(out)])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = read_csv(out / "grades.csv")
    with open(out / "grades.csv", newline="") as fh:
        assert next(csv.reader(fh)) == ["submission", "name", "email", "conv_arithmetic", "total", "status"]
    assert set(rows) == {"ref", "stub", "mutant", "hang", "submission_1001"}
    assert float(rows["ref"]["total"]) == 40 and rows["ref"]["status"] == "ok"
    assert float(rows["submission_1001"]["conv_arithmetic"]) == 40
    assert (rows["submission_1001"]["name"], rows["submission_1001"]["email"]) == ("Ada Lovelace", "ada@example.edu")
    assert float(rows["stub"]["total"]) == 0 and rows["stub"]["status"] == "ok"
    assert 0 < float(rows["mutant"]["total"]) < 40
    assert float(rows["hang"]["total"]) == 0 and "wall-time limit" in rows["hang"]["status"]
    for row in rows.values():
        assert float(row["total"]) == float(row["conv_arithmetic"])

    doc = json.loads((out / "results.json").read_text())
    by_id = {s["submission"]: s for s in doc["submissions"]}
    assert len(by_id["ref"]["tests"]) > 10 and all(t["score"] == t["max_score"] for t in by_id["ref"]["tests"])
    assert any(t["name"] == "Autograder failed" for t in by_id["hang"]["tests"])
    assert not any(s["cached"] for s in doc["submissions"])
    summary = (out / "summary.txt").read_text()
    assert "conv_arithmetic" in summary and "Most common failing tests" in summary
    assert "whole numbers" in summary   # the true_division mutant's hint, seen after "Hint: "
    assert summary in proc.stdout

    # second run: nothing changed -> everything from the cache; then one change -> only it re-graded
    proc = grade([str(subs), str(export), "--out", str(out)])
    assert proc.returncode == 0
    assert "0 graded" in proc.stdout and "5 from the cache" in proc.stdout
    assert read_csv(out / "grades.csv") == rows
    # (the cache is keyed by content: the plain reference would be a hit, being submission_1001's files)
    (subs / "stub" / "conv_arithmetic.py").write_text(SOLUTION + "\n# finished at last\n")
    proc = grade([str(subs), str(export), "--out", str(out)])
    assert "1 graded" in proc.stdout and "4 from the cache" in proc.stdout
    rows2 = read_csv(out / "grades.csv")
    assert float(rows2["stub"]["total"]) == 40 and rows2["hang"] == rows["hang"]
    cached = {s["submission"]: s["cached"] for s in json.loads((out / "results.json").read_text())["submissions"]}
    assert cached == {"ref": True, "stub": False, "mutant": True, "hang": True, "submission_1001": True}
