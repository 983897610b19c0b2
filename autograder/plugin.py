"""The pytest plugin: points, feedback, seeds, the score table and results.json.

Loaded by the top-level ``conftest.py``. It is inert for tests that are not
grading tests; a grading test module declares its exercise with
``pytestmark = pytest.mark.exercise("conv_arithmetic")`` and reaches student
code only through the ``submission`` fixture.

Points, visibility, numbering and tags come from gradescope_utils' decorators
(``weight``, ``visibility``, ``number``, ``tags``, ``hide_errors``), read from the
attributes they set. Partial credit: see :func:`autograder.partial_credit`.
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from . import manifest, results, seam
from .errors import EnvironmentBroken, GradingAbort, NotImplementedYet, StudentCodeError
from .results import TestResult

seam.pause_gc()  # until the test modules are collected (pytest_collection_modifyitems)

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


# ---------------------------------------------------------------- options
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "grading")
    group.addoption("--submission", default=os.environ.get("AUTOGRADER_SUBMISSION"),
                    help="folder with the modules to grade (default: exercises/ beside the tests; "
                         "env AUTOGRADER_SUBMISSION)")
    group.addoption("--worker", action="store_true", default=os.environ.get("AUTOGRADER_WORKER_MODE") == "1",
                    help="run student code in a worker process, as the autograder does (default: in-process)")
    group.addoption("--assignment", default=None,
                    help="assignment from assignments.toml to grade (default: its `default`)")
    group.addoption("--gradescope-results", default=None, metavar="PATH",
                    help="also write Gradescope's results.json to PATH (default: none)")
    group.addoption("--autograder-seed", type=int, default=int(os.environ.get("AUTOGRADER_SEED", "0")),
                    help="base of the per-test seeds (default: 0, env AUTOGRADER_SEED)")


class Grader:
    """Per-session state of the plugin."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.root = Path(config.rootpath)
        sub = config.getoption("submission")
        self.submission = Path(sub).resolve() if sub else self.root / "exercises"
        self.worker = config.getoption("worker")
        self.base_seed = config.getoption("autograder_seed")
        self.results_path = config.getoption("gradescope_results")
        self.assignment: manifest.Assignment | None = None
        self.manifest_error = ""
        try:
            self.assignment = manifest.load(self.root, config.getoption("assignment"))
        except (manifest.ManifestError, OSError) as exc:
            self.manifest_error = str(exc)
        try:  # every exercise of the manifest, for telling other assignments' test files apart
            self.catalog = manifest.all_exercises(self.root)
        except (OSError, ValueError, AttributeError):
            self.catalog = []
        self.executor: seam.Executor | None = None
        self.results: dict[str, TestResult] = {}
        self.order: list[str] = []
        self.collect_errors: list[TestResult] = []
        self.settled = False  # collection errors have been given their points
        self.started = time.monotonic()
        self.broken = ""      # the grading environment is broken: the whole run is reported as failed
        self.partial_file = None
        if self.results_path:
            self.partial_file = open(str(self.results_path) + ".partial.jsonl", "w")

    def get_executor(self) -> seam.Executor:
        if self.executor is None:
            if self.worker:
                self.executor = seam.WorkerExecutor(self.submission, probes=self.probe_modules())
            else:
                self.executor = seam.LocalExecutor(self.submission)
        return self.executor

    def probe_modules(self) -> list[str]:
        """The public support modules of this run's exercises: the worker binds their probes before
        any student code runs."""
        names = list(self.assignment.exercises) if self.assignment else self.catalog
        return [f"tests.public.{ex}_support" for ex in names
                if (self.root / "tests" / "public" / f"{ex}_support.py").is_file()]

    def all_results(self) -> list[TestResult]:
        return [self.results[n] for n in self.order] + self.collect_errors

    def record(self, result: TestResult, event: str = "test") -> None:
        if self.partial_file:
            self.partial_file.write(json.dumps({"event": event, "result": result.to_json()}) + "\n")
            self.partial_file.flush()


GRADER_KEY = pytest.StashKey[Grader]()
RESULT_KEY = pytest.StashKey[TestResult]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exercise(name): the exercise (module in exercises/) a grading test grades")
    config.addinivalue_line("markers", "fresh_worker: the test gets a worker forked fresh before it, so that what "
                            "the exercise's earlier tests left in the worker does not add to its memory")
    grader = Grader(config)
    config.stash[GRADER_KEY] = grader
    budget = float(os.environ.get("AUTOGRADER_BUDGET", "0") or 0)
    if budget > 0 and grader.assignment and not os.environ.get("AUTOGRADER_EXERCISE_SECONDS"):
        # Each exercise's share of the run's budget, after a reserve for starting up and reporting.
        reserve = min(60.0, 0.2 * budget)
        seam.EXERCISE_SECONDS = max((budget - reserve) / max(len(grader.assignment.exercises), 1), 5.0)
    if grader.worker:
        # One import of the worker's libraries for the run: here, before any test module (and so any
        # secret) is loaded, then every worker is forked from a server forked now (autograder/zygote.py).
        # Without it (AUTOGRADER_FORKSERVER=0), the spawned worker starts first, so that its imports
        # overlap this process's own and collection.
        seam.start_fork_server(probes=grader.probe_modules(),
                               imports=grader.assignment.worker_imports if grader.assignment else ())
        grader.get_executor()
    _register_hypothesis_profiles()
    # One thread for torch here, as in the worker: tiny ops are faster, and values do not depend
    # on how many cores the machine has.
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass
    # One broken test module must not stop the others from being graded.
    config.option.continue_on_collection_errors = True


def _register_hypothesis_profiles() -> None:
    try:
        from hypothesis import HealthCheck, Phase, settings
    except ImportError:
        return
    # No "explain" phase: it reports grader file paths and lines, which mean nothing to a student.
    phases = [p for p in Phase if p is not Phase.explain]
    common = dict(deadline=None, database=None, print_blob=False, phases=phases,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.function_scoped_fixture])
    # grading: the same inputs on every run and machine, so a score never flakes.
    settings.register_profile("grading", derandomize=True, max_examples=60, **common)
    settings.register_profile("ci", derandomize=True, max_examples=60, **common)
    # dev: for exercise authors hunting for inputs the grading profile does not reach.
    settings.register_profile("dev", derandomize=False, max_examples=300, **common)
    settings.load_profile(os.environ.get("AUTOGRADER_HYPOTHESIS_PROFILE", "grading"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    g = config.stash[GRADER_KEY]
    if g.worker:
        from . import sandbox
        mode = f"worker process: {sandbox.status()}"
    else:
        mode = "in-process"
    where = os.path.relpath(g.submission, g.root) if g.submission.is_relative_to(g.root) else str(g.submission)
    profile = os.environ.get("AUTOGRADER_HYPOTHESIS_PROFILE", "grading")
    name = g.assignment.name if g.assignment else f"none ({g.manifest_error})"
    return [f"autograder: grading {where} ({mode}), assignment {name}, hypothesis profile {profile}, "
            f"seed base {g.base_seed} (per-test seed = crc32(test id) + base; set with --autograder-seed)"]


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def submission(request: pytest.FixtureRequest):
    """``submission("name")`` -> the student's module ``name`` (a proxy; see autograder.seam)."""
    grader = request.config.stash[GRADER_KEY]

    class Submission:
        def __call__(self, name: str) -> seam.Module:
            return grader.get_executor().module(name)

        def __repr__(self) -> str:
            return "submission"

    return Submission()


@pytest.fixture(scope="session")
def reference(request: pytest.FixtureRequest):
    """``reference("name")`` -> the reference solution module (hidden tests only; trusted code)."""
    import importlib.util

    root = request.config.stash[GRADER_KEY].root / "solutions"
    cache: dict[str, Any] = {}

    def load(name: str):
        if name not in cache:
            path = root / f"{name}.py"
            if not path.is_file():
                raise RuntimeError(f"reference solution {path} is missing")
            spec = importlib.util.spec_from_file_location(f"_reference_{name}", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            cache[name] = mod
        return cache[name]

    return load


@pytest.fixture
def set_score(request: pytest.FixtureRequest):
    """For ``@autograder.partial_credit`` tests: ``set_score(points)`` records this test's score."""
    def setter(points: float) -> None:
        request.node.stash[SCORE_KEY] = float(points)
    return setter


SCORE_KEY = pytest.StashKey[float]()


# ---------------------------------------------------------------- collection
def _exercise_of(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("exercise")
    return str(mark.args[0]) if mark and mark.args else None


def _attr(item: pytest.Item, name: str, default=None):
    func = getattr(item, "obj", None)
    for obj in (func, getattr(func, "__wrapped__", None), getattr(func, "hypothesis", None) and
                getattr(func.hypothesis, "inner_test", None)):
        if obj is not None and hasattr(obj, name):
            return getattr(obj, name)
    return default


def _title(item: pytest.Item) -> str:
    func = getattr(item, "obj", None)
    doc = (getattr(func, "__doc__", None) or "").strip().splitlines()
    base = doc[0].rstrip(".") if doc else item.originalname.removeprefix("test_").replace("_", " ")
    callspec = getattr(item, "callspec", None)
    return f"{base} [{callspec.id}]" if callspec else base


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    grader = config.stash[GRADER_KEY]
    drop = []
    per_exercise: dict[str, int] = {}
    # Number public tests before hidden ones, in collection order within each.
    for item in sorted(items, key=lambda i: "hidden" in Path(str(i.path)).parts):
        exercise = _exercise_of(item)
        if exercise is None:
            continue
        if grader.assignment and exercise not in grader.assignment.exercises:
            drop.append(item)
            continue
        per_exercise[exercise] = per_exercise.get(exercise, 0) + 1
        index = grader.assignment.index(exercise) if grader.assignment else 0
        visibility = _attr(item, "__visibility__", "visible")
        if visibility not in VISIBILITIES:
            visibility = "hidden"
        tags = [exercise, *[str(t) for t in _attr(item, "__tags__", ())]]
        result = TestResult(
            nodeid=item.nodeid, exercise=exercise, name=f"{exercise}: {_title(item)}",
            number=str(_attr(item, "__number__", f"{index}.{per_exercise[exercise]}")),
            max_score=float(_attr(item, "__weight__", 1.0)), visibility=visibility, tags=tags,
            output="This test did not run (the grading run stopped before reaching it).",
            extra={"seed": seam.seed_for(item.nodeid, grader.base_seed)})
        item.stash[RESULT_KEY] = result
        grader.results[item.nodeid] = result
        grader.order.append(item.nodeid)
    keep = [item for item in items if item not in drop]
    if drop:
        config.hook.pytest_deselected(items=drop)
    # Run each exercise's tests together (the manifest's run_first, then manifest order; collection
    # order within an exercise), so the worker can be recycled between exercises (see
    # pytest_runtest_setup). The results keep the order built above (grader.order).
    def position(item: pytest.Item) -> int:
        exercise = _exercise_of(item)
        if exercise is None or not grader.assignment or exercise not in grader.assignment.exercises:
            return 0
        return grader.assignment.run_position(exercise)
    items[:] = sorted(keep, key=position)
    for nodeid in grader.order:  # so that a run stopped half-way still lists every test
        grader.record(grader.results[nodeid], event="collected")
    seam.freeze_heap()


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if not report.failed or not report.nodeid.startswith("tests"):
        return
    config = _CONFIG.get("config")
    if config is None:
        return
    grader = config.stash[GRADER_KEY]
    known = list(grader.assignment.exercises) if grader.assignment else []
    exercise = exercise_of_file(Path(report.nodeid.split("::")[0]), known) or Path(report.nodeid).stem
    if grader.assignment and exercise not in grader.assignment.exercises:
        return
    message = str(report.longrepr)
    error = TestResult(
        nodeid=report.nodeid, exercise=exercise, name=f"{exercise}: tests in {report.nodeid} could not be loaded",
        number=f"{grader.assignment.index(exercise) if grader.assignment else 0}.0", max_score=0.0,
        output="The grader could not load these tests; this is not your code's fault. Details are "
               "kept for the staff.", extra={"internal": message[-5000:]})
    grader.collect_errors.append(error)
    grader.record(error)


_CONFIG: dict[str, pytest.Config] = {}


def exercise_of_file(path: Path, known) -> str | None:
    """The exercise a test file belongs to by its name (test_<exercise>[_anything].py), or None."""
    stem = path.stem.removeprefix("test_")
    matches = [e for e in known if stem == e or stem.startswith(e + "_")]
    return max(matches, key=len) if matches else None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Do not import the test files of other assignments' exercises: they would only be deselected.

    Saves their import (and assertion rewriting) on every grading run. A file whose name names no
    exercise of the manifest is collected as before.
    """
    grader = config.stash.get(GRADER_KEY, None)
    if grader is None or grader.assignment is None or collection_path.suffix != ".py":
        return None
    exercise = exercise_of_file(collection_path, grader.catalog)
    if exercise is not None and exercise not in grader.assignment.exercises:
        return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    _CONFIG["config"] = session.config


# ---------------------------------------------------------------- running
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    result = item.stash.get(RESULT_KEY, None)
    if result is not None:
        seed = int(result.extra["seed"])
        exercise = _exercise_of(item) or ""
        grader = item.config.stash[GRADER_KEY]
        if grader.worker and grader.executor is not None and (exercise != seam.current.group or
                                                               item.get_closest_marker("fresh_worker")):
            # a new exercise starts (or a test that needs the memory): shed what the last tests left in the
            # worker, and any change their code made to the grader
            grader.executor.recycle_for_next_exercise()
        seam.begin_test(item.nodeid, seed, exercise)
        seam.check_share()   # an exercise past its share of the run's time: the rest of it fails at once
        seam.freeze_heap(once=True)  # normally done after collection; never grade with the collector off
        if grader.executor is not None:
            grader.executor.begin_test()
        seam.seed_everything(seed)
        func = getattr(item, "obj", None)
        if func is not None and hasattr(func, "__score__"):
            try:  # gradescope_utils' partial_credit keeps the score on the shared function
                del func.__score__
            except AttributeError:
                pass
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem):
    try:
        return (yield)
    finally:
        grader = item.config.stash[GRADER_KEY]
        if item.stash.get(RESULT_KEY, None) is not None:
            if grader.executor is not None:
                grader.executor.end_test()
            seam.end_test()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report: pytest.TestReport = yield
    result = item.stash.get(RESULT_KEY, None)
    if result is None:
        return report
    if report.when == "setup":
        result.status, result.score, result.output = "passed", 0.0, ""
        result.extra["outcome"] = "passed"
    if call.excinfo is not None and isinstance(call.excinfo.value, EnvironmentBroken):
        grader = item.config.stash[GRADER_KEY]
        grader.broken = grader.broken or str(call.excinfo.value)
        item.session.shouldstop = f"the grading environment is broken ({grader.broken})"
    if report.failed or report.skipped:
        if result.extra.get("outcome") != "failed":
            result.extra["outcome"] = "failed" if report.failed else "skipped"
            result.output = feedback(item, call, report)
            if call.excinfo is not None and not _is_student_facing(call.excinfo.value):
                result.extra["internal"] = str(report.longrepr)[-5000:]
            if report.failed:
                report.longrepr = result.output
    if report.when == "teardown":
        _score(item, result)
        item.config.stash[GRADER_KEY].record(result)
    return report


def _score(item: pytest.Item, result: TestResult) -> None:
    passed = result.extra.get("outcome") == "passed"
    partial = item.stash.get(SCORE_KEY, None)
    if partial is None:
        partial = _attr(item, "__score__", None)
    if partial is not None and (_attr(item, "__partial_credit__", False) or hasattr(item.obj, "__score__")):
        score = min(max(float(partial), 0.0), result.max_score)
    else:
        score = result.max_score if passed else 0.0
    result.score = score
    result.status = "passed" if passed and score >= result.max_score else "failed"
    hide = _attr(item, "__hide_errors__", None)
    if hide and not passed:
        result.output = str(hide)
    ours = seam.current.nodeid == item.nodeid
    if ours and seam.current.notes:
        result.output = (result.output + "\n\nThe grader measured:\n" + "\n".join(seam.current.notes[:20])).strip()
    printed = "".join(seam.current.output) if ours else ""
    if printed.strip():
        result.output = (result.output + "\n\nYour code printed:\n" + printed).strip()


def _is_student_facing(exc: BaseException) -> bool:
    return isinstance(exc, (AssertionError, GradingAbort, StudentCodeError)) or _is_group_of_student(exc)


def _is_group_of_student(exc: BaseException) -> bool:
    subs = getattr(exc, "exceptions", None)
    return bool(subs) and all(_is_student_facing(e) for e in subs)


def _notes(exc: BaseException) -> list[str]:
    keep = []
    for note in getattr(exc, "__notes__", []) or []:
        if "reproduce_failure" in note or "@seed(" in note or "--hypothesis-seed" in note:
            continue
        if note.startswith(("Falsifying", "Failing")) and ":" in note:
            keep.append("Smallest failing input found:\n" + note.split(":", 1)[1].strip())
        else:
            keep.append(note)
    return keep


def describe_exception(exc: BaseException, item: pytest.Item) -> str:
    subs = getattr(exc, "exceptions", None)
    if subs:  # hypothesis found several distinct failures
        parts = [describe_exception(e, item) for e in subs[:3]]
        return "\n\n".join(f"Failure {i + 1}:\n{p}" for i, p in enumerate(parts))
    if isinstance(exc, (GradingAbort, StudentCodeError)):
        text = str(exc)
    elif isinstance(exc, AssertionError):
        text = str(exc) or "a check failed"
    else:
        line = ""
        tb = exc.__traceback__
        while tb is not None:
            if Path(tb.tb_frame.f_code.co_filename).name.startswith("test_"):
                line = f" (at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno})"
            tb = tb.tb_next
        text = (f"The check could not be completed: {type(exc).__name__}: {exc}{line}\n"
                "This usually means a returned value has an unexpected type or structure.")
    notes = [] if isinstance(exc, NotImplementedYet) else _notes(exc)
    return "\n\n".join([text, *notes])


def feedback(item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> str:
    seed = item.stash[RESULT_KEY].extra["seed"]
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return f"Not graded (skipped: {reason}); a skipped test earns no points."
    if call.excinfo is None:
        return f"Failed in {report.when}.\n(seed {seed})"
    text = describe_exception(call.excinfo.value, item)
    stage = "" if report.when == "call" else f"[while preparing the test ({report.when})]\n"
    return f"{stage}{text}\n(seed {seed})"


# ---------------------------------------------------------------- reporting
def _settle_collect_errors(grader: Grader) -> None:
    """A test module that failed to load is worth the points its exercise is missing.

    Its tests' weights are unknown, so with the hidden tests present (a complete test set)
    the first such entry of an exercise takes the manifest's points not accounted for by
    the tests that did load. Runs once per session.
    """
    if grader.settled or not grader.assignment or not (grader.root / "tests" / "hidden").is_dir():
        return
    grader.settled = True
    missing = {ex: points - sum(r.max_score for r in grader.results.values() if r.exercise == ex)
               for ex, points in grader.assignment.exercises.items()}
    for error in grader.collect_errors:
        error.max_score = max(missing.get(error.exercise, 0.0), 0.0)
        missing[error.exercise] = 0.0


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    grader = config.stash[GRADER_KEY]
    _settle_collect_errors(grader)
    all_results = grader.all_results()
    if not all_results:
        return
    tw = terminalreporter
    tw.section("autograder score")
    exercises = list(grader.assignment.exercises) if grader.assignment else []
    for r in all_results:
        if r.exercise not in exercises:
            exercises.append(r.exercise)
    width = max(len("Exercise"), *(len(e) for e in exercises))
    tw.write_line(f"{'Exercise':<{width}}  {'Earned':>8}  {'Possible':>8}")
    total_earned = total_possible = 0.0
    for ex in exercises:
        mine = [r for r in all_results if r.exercise == ex]
        if not mine:
            continue
        earned = sum(r.score for r in mine)
        possible = sum(r.max_score for r in mine)
        total_earned += earned
        total_possible += possible
        note = ""
        declared = grader.assignment.exercises.get(ex) if grader.assignment else None
        if declared is not None and abs(declared - possible) > 1e-9:
            note = f"  (of {declared:g}: the rest is graded by hidden tests on Gradescope)" \
                if possible < declared else f"  (manifest says {declared:g})"
        tw.write_line(f"{ex:<{width}}  {earned:>8.2f}  {possible:>8.2f}{note}")
    tw.write_line(f"{'Total':<{width}}  {total_earned:>8.2f}  {total_possible:>8.2f}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    grader = session.config.stash[GRADER_KEY]
    grader.exitstatus = int(exitstatus)
    if grader.executor is not None:
        grader.executor.close()
    seam.stop_fork_server()   # waits for it, so its workers' CPU time is this process's children's
    if grader.partial_file:
        grader.partial_file.close()
    if grader.results_path:
        _settle_collect_errors(grader)
        tests = grader.all_results()
        output = ""
        if grader.manifest_error:
            output = f"Manifest problem: {grader.manifest_error}"
        doc = results.assemble(tests, output=output, extra={"assignment": getattr(grader.assignment, "name", None)})
        if grader.broken:   # no student-facing import errors: the run failed, and says why
            doc = results.failure(f"the grading environment is broken ({grader.broken})")
        results.write(doc, Path(grader.results_path))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """The autograder's grading process (``--gradescope-results``) ends here, without the
    interpreter's teardown: results.json is written and flushed, and tearing down torch, sympy
    and hypothesis module by module costs ~0.7 s a run for nothing. A student's own pytest
    run (no ``--gradescope-results``) exits normally, so other plugins' exit hooks still run."""
    grader = config.stash.get(GRADER_KEY, None)
    if grader is None or not grader.results_path:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(getattr(grader, "exitstatus", 0))
