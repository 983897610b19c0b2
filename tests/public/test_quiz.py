"""Public grading tests for exercises/quiz.py.

Each question is compared exactly with a hashed answer key (tests/keys/quiz.json): the set of true
labels, whatever its order or case. A wrong answer gets the measurements of small torch experiments
about its statements and a hint.

Promises of the docstrings and the tests that exercise them:

=====================================================  ========================================================
promise                                                exercised by
=====================================================  ========================================================
each of the 8 answers is exactly the set of true       test_multiple_choice_answer[answer_a .. answer_h] (hashed
statements (no partial credit, order free)             keys), hidden: test_whole_quiz_matches_the_reference
set, frozenset, list or tuple of distinct labels;      quiz_support.normalise (every part); accepted forms checked
upper case and surrounding spaces mean the same        by selftests/alternatives/quiz (lists, upper case, spaces)
other labels, non-strings, duplicates, an empty set    quiz_support.normalise: rejected with a message naming the
are rejected                                           problem (never a hint)
hints only for a catalogued wrong set                  hashed wrong answers of selftests/mutants/quiz (KEY_PARTS);
                                                       any other wrong set gets the question's "Where to look"
=====================================================  ========================================================
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
