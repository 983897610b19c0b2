"""Auto-grading harness for deep-learning problem sets (see README.md)."""
from __future__ import annotations

__all__ = ["partial_credit"]


class partial_credit:
    """Same name and meaning as ``gradescope_utils``' ``@partial_credit(max_points)``.

    Why our own: gradescope_utils' version passes ``set_score`` as a keyword argument
    through a wrapper, which pytest only accepts when the test declares
    ``set_score=None`` with a default, and it keeps the score on the (shared) function
    object, so a parametrized or hypothesis test leaks one case's score into the next.
    Here ``set_score`` is an ordinary pytest fixture and the score is kept per test item.
    (The plugin also honours gradescope_utils' decorator, clearing its score before each test.)

        @partial_credit(4)
        def test_something(submission, set_score):
            set_score(2.5)
    """

    def __init__(self, max_points: float):
        self.max_points = float(max_points)

    def __call__(self, func):
        func.__weight__ = self.max_points
        func.__partial_credit__ = True
        return func
