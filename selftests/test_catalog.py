"""Every exercise in solutions/: its catalogued wrong implementations lose points with their hint,
and its catalogued correct alternatives score full marks (graded on that exercise's tests only)."""
from __future__ import annotations

import re

import pytest

from autograder import manifest, quality
from autograder.regenerate import alternative_sources, mutant_sources, patched

from .conftest import EXERCISES, ROOT, grade, hints_of, solution_source, write_submission

MUTANTS = [(ex, name, src) for ex in EXERCISES for name, src in mutant_sources(ROOT, ex)]
ALTERNATIVES = [(ex, name, src) for ex in EXERCISES for name, src in alternative_sources(ROOT, ex)]


def ids(cases):
    return [f"{ex}/{name}" for ex, name, _ in cases]


def points(exercise: str) -> int:
    return manifest.assignment_of(exercise, ROOT).exercises[exercise]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_each_exercise_has_a_manifest_entry_three_mutants_two_alternatives_and_hints(exercise):
    assert manifest.assignment_of(exercise, ROOT)
    mutants = [c for c in MUTANTS if c[0] == exercise]
    assert len(mutants) >= 3 and len([c for c in ALTERNATIVES if c[0] == exercise]) >= 2
    hints = hints_of(exercise)
    for _, name, source in mutants:
        match = re.search(r'^HINT = "(\w+)"', source, re.M)
        assert match and match.group(1) in hints, f"{name}: HINT missing or not in HINTS"


@pytest.mark.parametrize("exercise,name,source", MUTANTS, ids=ids(MUTANTS))
def test_catalogued_mutant_loses_points_with_its_hint(tmp_path, exercise, name, source):
    submission = patched(solution_source(exercise), source)
    doc = grade(write_submission(tmp_path, submission, exercise), tmp_path, exercise=exercise)
    hints = hints_of(exercise)
    own = re.search(r'^HINT = "(\w+)"', source, re.M).group(1)
    failed = [t for t in doc["tests"] if t["score"] < t["max_score"]]
    assert doc["score"] < points(exercise)
    assert any(hints[own] in t["output"] for t in failed), [t["output"] for t in failed]
    # hint precision: no other misconception of the exercise is claimed for this one
    case = quality.Case(exercise, "mutant", name, "", hints[own], own,
                        {k: v for k, v in hints.items() if k != own and v != hints[own]})
    assert quality.foreign_hints(case, {"failed": failed}) == [], [t["output"] for t in failed]


@pytest.mark.parametrize("exercise,name,source", ALTERNATIVES, ids=ids(ALTERNATIVES))
def test_alternative_correct_implementation_scores_full_marks(tmp_path, exercise, name, source):
    submission = patched(solution_source(exercise), source)
    doc = grade(write_submission(tmp_path, submission, exercise), tmp_path, exercise=exercise)
    assert [t["output"] for t in doc["tests"] if t["score"] < t["max_score"]] == []
    assert doc["score"] == points(exercise)
