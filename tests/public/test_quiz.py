"""Public grading tests for exercises/quiz.py.

Each question is compared exactly with a hashed answer key (tests/keys/quiz.json): the set of true
labels, whatever its order or case. A wrong answer gets the measurements of small torch experiments
about its statements and a hint.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from gradescope_utils.autograder_utils.decorators import weight

from autograder.checks import load_keys

from .quiz_support import EXERCISE, PARTS, check_answer, probe_for

pytestmark = pytest.mark.exercise(EXERCISE)

KEYS = load_keys(EXERCISE, Path(__file__).resolve().parents[2])


@weight(2)
@pytest.mark.parametrize("part", PARTS)
def test_multiple_choice_answer(submission, part):
    """The set of true statements of one question, exactly."""
    sub = submission(EXERCISE)
    check_answer(sub.run_probe(probe_for(part), sub._handle()), KEYS, part)
