"""Gradescope's results.json: per-test results in, a valid file out, whatever happens."""
from __future__ import annotations

import json
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("results.schema.json")


@dataclass
class TestResult:
    nodeid: str
    exercise: str
    name: str
    number: str
    max_score: float
    score: float = 0.0
    status: str = "failed"
    output: str = ""
    visibility: str = "visible"
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_gradescope(self) -> dict:
        return {
            "name": self.name, "number": self.number, "score": round(self.score, 6),
            "max_score": round(self.max_score, 6), "status": self.status, "output": self.output,
            "visibility": self.visibility, "tags": list(self.tags),
            "extra_data": {"nodeid": self.nodeid, "exercise": self.exercise, **self.extra},
        }

    def to_json(self) -> dict:
        return asdict(self)


def _number_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in number.split("."))


def assemble(tests: list[TestResult], *, output: str = "", execution_time: float | None = None,
             extra: dict | None = None) -> dict:
    ordered = sorted(tests, key=lambda t: (_number_key(t.number), t.nodeid))
    results: dict[str, Any] = {
        "score": round(sum(t.score for t in ordered), 6),
        "output": output,
        "stdout_visibility": "hidden",
        "tests": [t.to_gradescope() for t in ordered],
    }
    if execution_time is not None:
        results["execution_time"] = round(max(execution_time, 0.0), 3)
    if extra:
        results["extra_data"] = extra
    return results


def failure(message: str, exc: BaseException | None = None, *, execution_time: float | None = None,
            partial: list[TestResult] | None = None) -> dict:
    """Results for a run in which grading itself broke.

    Students see a visible "autograder failed" test; the traceback goes into a hidden one,
    so the instructor can read it and the student cannot.
    """
    trace = "".join(traceback.format_exception(exc)) if exc is not None else message
    tests = list(partial or [])
    tests.append(TestResult(
        nodeid="autograder::failed", exercise="autograder", name="Autograder failed", number="0.1",
        max_score=0.0, output=("The autograder could not finish grading this submission: "
                               f"{message}\nThis is not a problem with your code; please tell your "
                               "instructor. Tests listed here with a score were graded before it stopped.")))
    tests.append(TestResult(
        nodeid="autograder::traceback", exercise="autograder", name="Autograder failure details (staff only)",
        number="0.2", max_score=0.0, visibility="hidden", output=trace[-20000:]))
    return assemble(tests, output=f"Autograder failed: {message}", execution_time=execution_time)


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def validate(results: dict) -> None:
    """Raise jsonschema.ValidationError when ``results`` breaks Gradescope's schema."""
    import jsonschema

    jsonschema.validate(results, schema())


def write(results: dict, path: Path) -> dict:
    """Validate and write; an invalid document is replaced by a valid failure report."""
    try:
        validate(results)
    except Exception as exc:  # never leave Gradescope without a valid file
        results = failure("the grader produced an invalid results.json", exc)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2, sort_keys=True))
    tmp.replace(path)
    return results
