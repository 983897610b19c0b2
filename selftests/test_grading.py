"""Does the grader grade right? References, stubs, mutants, alternatives, determinism."""
from __future__ import annotations

import re

import pytest

from autograder import manifest
from autograder.regenerate import patched, stale
from tests.public.conv_arithmetic_support import HINTS

from .conftest import ASSIGNMENTS, EXERCISES, FULL, ROOT, SOLUTION, grade, without_timing, write_submission


def test_regenerate_check_is_clean():
    assert stale(ROOT) == []


@pytest.mark.parametrize("spec", ASSIGNMENTS, ids=[a.name for a in ASSIGNMENTS])
def test_reference_solutions_score_full_marks_and_manifest_points_equal_the_test_weights(tmp_path, spec):
    doc = grade(ROOT / "solutions", tmp_path, assignment=spec.name)
    failed = [t["name"] for t in doc["tests"] if t["score"] < t["max_score"]]
    assert failed == [] and doc["score"] == spec.total
    for exercise, points in spec.exercises.items():
        assert sum(t["max_score"] for t in doc["tests"] if t["extra_data"]["exercise"] == exercise) == points


@pytest.mark.parametrize("spec", ASSIGNMENTS, ids=[a.name for a in ASSIGNMENTS])
def test_untouched_stubs_score_exactly_zero_and_say_not_implemented(tmp_path, spec):
    doc = grade(ROOT / "exercises", tmp_path, assignment=spec.name)
    assert doc["score"] == 0 and len(doc["tests"]) > 20
    assert all("not implemented yet" in t["output"] for t in doc["tests"])
    for exercise in spec.exercises:
        assert re.search(rf"^{exercise}\s+0\.00\s", doc["_stdout"], re.M), doc["_stdout"][-2000:]


def test_every_exercise_belongs_to_an_assignment():
    listed = {ex for spec in ASSIGNMENTS for ex in spec.exercises}
    assert sorted(listed) == EXERCISES


def test_feedback_shows_expected_got_smallest_input_and_no_traceback(tmp_path, mutant_source):
    doc = grade(write_submission(tmp_path, mutant_source("ceil_division")), tmp_path)
    out = next(t["output"] for t in doc["tests"] if "agrees with nn.Conv1d" in t["name"] and t["score"] == 0)
    assert "expected:" in out and "got:" in out and "Hint:" in out
    assert "Traceback" not in out and "site-packages" not in out and "/autograder/" not in out


def test_hidden_tests_never_show_the_expected_value(tmp_path, mutant_source):
    doc = grade(write_submission(tmp_path, mutant_source("ceil_division")), tmp_path)
    hidden = [t for t in doc["tests"] if "hidden" in t["extra_data"]["nodeid"] and t["score"] == 0]
    assert hidden and all("expected" not in t["output"] for t in hidden)


def test_by_hand_keys_give_the_hint_without_the_answer(tmp_path):
    """(13, 13, 8) is the channels-last answer: the channels_last mutant's hashed wrong answer names it."""
    source = SOLUTION + "\n\ndef answer_conv2d_28_shape():\n    return (13, 13, 8)\n"
    doc = grade(write_submission(tmp_path, source), tmp_path)
    test = next(t for t in doc["tests"] if "answer_conv2d_28_shape" in t["name"])
    assert test["score"] == 0 and HINTS["channels_last"] in test["output"] and "(8, 13, 13)" not in test["output"]


def test_worker_and_in_process_modes_agree(tmp_path, mutant_source):
    folder = write_submission(tmp_path, mutant_source("no_groups"))
    assert without_timing(grade(folder, tmp_path)) == without_timing(grade(folder, tmp_path, worker=True))


REPEATS = 5


def test_grading_is_deterministic_over_repeated_worker_runs(tmp_path):
    """The reference and a partly-wrong submission (one catalogued mutant per exercise), graded
    REPEATS times each the Gradescope way: identical results.json apart from timing."""
    from autograder.regenerate import mutant_sources

    from .conftest import solution_source

    partly_wrong = tmp_path / "partly_wrong"
    for exercise in manifest.load(ROOT).exercises:   # the default assignment
        mutants = mutant_sources(ROOT, exercise)
        source = patched(solution_source(exercise), mutants[0][1]) if mutants else solution_source(exercise)
        write_submission(partly_wrong, source, exercise)
    for folder, expect_full in ((ROOT / "solutions", True), (partly_wrong / "exercises", False)):
        docs = [without_timing(grade(folder, tmp_path, worker=True)) for _ in range(REPEATS)]
        assert all(doc == docs[0] for doc in docs[1:])
        assert (docs[0]["score"] == FULL) == expect_full
