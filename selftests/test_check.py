"""``python -m autograder check --exercise conv_arithmetic``: the grader quality report on one small
exercise (reference full marks, stub 0, every mutant caught with its hint, every alternative accepted)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from autograder import quality

from .conftest import ALTERNATIVES, MUTANTS, ROOT

pytestmark = pytest.mark.slow


def test_check_one_exercise_passes_with_its_table():
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", "--exercise", "conv_arithmetic"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ}, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Problems:" not in proc.stdout
    row = next(line for line in proc.stdout.splitlines() if line.startswith("conv_arithmetic "))
    n, k = len(MUTANTS), len(ALTERNATIVES)
    assert re.fullmatch(rf"conv_arithmetic\s+40\s+40\s+0\s+{n}/{n}\s+{k}/{k}\s+{n}/{n}\s+{n}/{n}\s*", row), row
    assert f"hint precision: {n}/{n} mutants show no hint but their own" in proc.stdout
    assert "mutants caught" in proc.stdout and "alternatives accepted" in proc.stdout


def test_check_verdicts_flag_a_surviving_mutant_a_missing_hint_and_a_rejected_alternative():
    mutant = quality.Case("conv_arithmetic", "mutant", "m", "", hint="floor")
    failing = [{"name": "t", "output": "wrong\nHint: floor division"}]
    assert quality.verdict(mutant, {"score": 30, "failed": failing, "error": ""}, 40) == (True, "")
    assert not quality.verdict(mutant, {"score": 40, "failed": [], "error": ""}, 40)[0]
    assert not quality.verdict(mutant, {"score": 30, "failed": [{"name": "t", "output": "x"}], "error": ""}, 40)[0]
    alt = quality.Case("conv_arithmetic", "alternative", "a", "")
    assert not quality.verdict(alt, {"score": 39, "failed": [{"name": "t", "output": ""}], "error": ""}, 40)[0]
    stub = quality.Case("conv_arithmetic", "stub", "s", "")
    assert not quality.verdict(stub, {"score": 3, "failed": [], "error": ""}, 40)[0]
    assert not quality.verdict(alt, {"score": None, "failed": [], "error": "boom"}, 40)[0]


def test_check_verdict_flags_a_hint_of_another_mistake():
    """Hint precision: a mutant's feedback may show its own hint, never one written for another mistake."""
    mutant = quality.Case("conv_arithmetic", "mutant", "m", "", hint="floor division", hint_id="true_division",
                          others={"plus_one_missing": "the count is one short"})
    own = [{"name": "t", "output": "wrong\nHint: floor division"}]
    assert quality.verdict(mutant, {"score": 30, "failed": own, "error": ""}, 40) == (True, "")
    misled = own + [{"name": "u", "output": "wrong\nHint: the count is one short"}]
    ok, why = quality.verdict(mutant, {"score": 30, "failed": misled, "error": ""}, 40)
    assert not ok and "plus_one_missing" in why
    # the text of another hint before "Hint:" (in the task's own words) is not a hint shown
    quoted = own + [{"name": "u", "output": "the count is one short?\nWhere to look: ..."}]
    assert quality.verdict(mutant, {"score": 30, "failed": quoted, "error": ""}, 40) == (True, "")
