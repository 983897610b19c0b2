"""Hidden test for the quiz: the whole quiz against the reference solution itself (not only the hashed
keys), so that a stale key cannot hide a wrong answer. Feedback never shows the reference's sets."""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight

from autograder.checks import Mismatch

from ..public.quiz_support import EXERCISE, PARTS, normalise, probe_for

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(2)
@visibility("after_due_date")
def test_whole_quiz_matches_the_reference(submission, reference):
    """All eight answers equal the reference's sets of true statements."""
    sub = submission(EXERCISE)
    wrong = []
    for part in PARTS:
        got = normalise(sub.run_probe(probe_for(part), sub._handle()), f"{part}()")
        expected = frozenset(x.lower() for x in getattr(reference(EXERCISE), part)())
        if got != expected:
            wrong.append(part)
    if wrong:
        raise Mismatch(f"the whole quiz: {len(wrong)} of {len(PARTS)} answers are not the sets of true statements: "
                       f"{', '.join(p + '()' for p in wrong)}")
