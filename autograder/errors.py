"""Exceptions that carry what a student needs to know, and nothing of the grader.

``GradingAbort`` derives from ``BaseException`` on purpose: hypothesis retries
and shrinks on ``Exception``; a stub that is not implemented, a module that
does not import, or a call that timed out must end the test at once instead
of being replayed on a hundred inputs.
"""
from __future__ import annotations


class StudentCodeError(Exception):
    """Student code raised an exception (it is re-raised in the grader as this)."""

    def __init__(self, type_name: str, message: str, where: str = "", traceback: str = ""):
        self.type_name, self.message, self.where, self.traceback = type_name, message, where, traceback
        super().__init__(self.describe())

    def describe(self) -> str:
        head = f"{self.type_name}: {self.message}" if self.message else self.type_name
        text = f"Your code raised {head}"
        meaning = _meaning(self.type_name, self.message)
        if meaning:
            text += f"\nWhat it means: {meaning}"
        if self.traceback:
            text += "\n" + self.traceback.rstrip()
        elif self.where:
            text += f" (at {self.where})"
        return text


def _meaning(type_name: str, message: str) -> str | None:
    try:
        from .diagnose import explain_exception

        return explain_exception(type_name, message)
    except Exception:   # an explanation is a courtesy: never let it hide the exception itself
        return None


class GradingAbort(BaseException):
    """Ends the current test immediately, with ``str(self)`` as the feedback."""


class NotImplementedYet(GradingAbort):
    pass


class SubmissionImportError(GradingAbort):
    pass


class MissingName(GradingAbort):
    pass


class StudentTimeout(GradingAbort):
    pass


class WorkerCrashed(GradingAbort):
    pass


class BadValue(GradingAbort):
    """Student code returned something that is not plain data of a known type."""


class ProtocolViolation(WorkerCrashed):
    """A reply from the worker did not match its request, or broke the protocol's bounds."""


class ProbeTampered(GradingAbort):
    """Student code changed the grader's own functions in the worker before a probe ran."""


class EnvironmentBroken(Exception):
    """The grading environment itself is broken (the worker cannot import its libraries): the
    grader's fault, reported as "Autograder failed", never as the student's."""
