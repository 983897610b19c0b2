"""Grade one submission the way Gradescope does, and always leave a valid results.json.

Layout (root = $AUTOGRADER_ROOT, default /autograder):
  root/submission/          what the student uploaded
  root/results/results.json what this writes

The trusted process here imports neither torch nor student code. It finds the
exercise files in whatever the student uploaded (the student zip, an exercises/
folder, loose .py files, a zip inside the upload), runs the grading tests in a
pytest subprocess whose student code runs in a worker process, and assembles
results.json in a ``finally``: from pytest's own file, else from the tests it
streamed before it died or ran out of time, else a visible "autograder failed" test.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import manifest, notebook, results, sandbox, uploads, waiter
from .results import TestResult

# glibc's malloc serves a block of 128 KB or more with its own mapping, returned to the system when freed, but
# raises that threshold to the size of each such block freed (up to 32 MB): after the first large tensor,
# blocks of up to its size come from the heap and stay there once freed, scattered among pages the
# grader, the fork server and the worker share. A fixed threshold keeps returning them: 8-18 MB less at
# the peak of a run, 45 MB less for training (benchmarks/memory.py), for ~10% more CPU in training's loops
# (benchmarks/catalog.py).
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "262144"}
SKIP_PARTS = {"__MACOSX", "tests", "solutions", "selftests", ".git", "__pycache__", ".venv", "dist"}
MAX_UNZIPPED = 200 * 1024 * 1024


def default_root() -> Path:
    return Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))


def collect_submission(upload: Path, exercises: list[str], dest: Path,
                       source: Path | None = None) -> tuple[Path, list[str]]:
    """Copy the exercise modules found in ``upload`` to ``dest/exercises``; return it and notes for the student.

    Only regular files are read (see :mod:`autograder.uploads`): a link, hard link, device, FIFO or
    socket is refused with a note naming it, and never followed. Zips (nested up to two deep) are
    unpacked by the same rule. A notebook (``.ipynb``) is read as data (never run): its exercise
    modules are extracted by :mod:`autograder.notebook`, and its written answers are written to
    ``dest/written/`` (markdown and HTML). An exercise's ``.py`` file wins over the notebook's cells,
    unless the ``.py`` file is the untouched stub and the notebook's cells are not.
    """
    notes: list[str] = []
    out = dest / "exercises"
    out.mkdir(parents=True, exist_ok=True)
    if not upload.is_dir() or upload.is_symlink():
        notes.append("No submission folder was found.")
        return out, notes
    refused: dict[str, str] = {}       # shown path -> refusal, for .py, .zip and .ipynb entries
    unpacked = dest / "unpacked"
    count = 0
    # Walk every place once: the upload, then each zip found (its contents are walked in turn).
    todo = [(upload, "", 0)]
    found: dict[str, list] = {name: [] for name in exercises}
    notebooks: list[tuple[str, Path]] = []
    while todo:
        base, label, depth = todo.pop(0)
        for path, rel, problem in uploads.walk(base, SKIP_PARTS):
            shown = f"{label}{rel}"
            name = Path(rel).name
            if problem is not None:
                if name.endswith((".py", ".zip", ".ipynb")):
                    refused.setdefault(shown, problem.replace(rel, shown, 1))
                continue
            if name.endswith(".zip") and depth < 2:
                target = unpacked / str(count)
                count += 1
                uploads.extract(path, shown, target, notes, MAX_UNZIPPED)
                todo.append((target, f"{shown}:", depth + 1))
                continue
            if name.endswith(".ipynb") and not SKIP_PARTS.intersection(Path(rel).parts[:-1]) \
                    and ".ipynb_checkpoints" not in Path(rel).parts:
                notebooks.append((shown, path))
                continue
            stem = name[:-3] if name.endswith(".py") else None
            if stem in found and not SKIP_PARTS.intersection(Path(rel).parts[:-1]):
                parts = Path(rel).parts
                found[stem].append((0 if "exercises" in parts else 1, depth, len(parts), shown, path))
    for shown, problem in refused.items():
        notes.append(problem)
    from_notebook = _notebook_modules(notebooks, exercises, dest, source or manifest.ROOT, notes)
    for name in exercises:
        candidates = sorted(found[name])
        if name in from_notebook:
            py = candidates and _read_py(candidates[0][-1])
            if not candidates or (notebook.untouched(py or "") and not notebook.untouched(from_notebook[name][1])):
                shown_nb, text = from_notebook[name]
                uploads.write_new(out / f"{name}.py", text.encode())
                if candidates:
                    notes.append(f"{name}: graded from {shown_nb}, because {candidates[0][-2]} is the untouched stub.")
                continue
            notes.append(f"{name}: graded from {candidates[0][-2]}; the cells of {from_notebook[name][0]} for it are "
                         "not graded (a .py file wins over a notebook, unless it is the untouched stub).")
        if not candidates:
            if not any(Path(s.split(":")[-1]).name == f"{name}.py" for s in refused):
                notes.append(f"{name}.py: not found in your submission, so its tests score 0. "
                             f"Upload exercises/{name}.py (or the whole exercises/ folder, or the student zip).")
            else:
                notes.append(f"{name}.py: only a link or special file was uploaded, so its tests score 0.")
            continue
        *_, shown, path = candidates[0]
        try:
            uploads.write_new(out / f"{name}.py", uploads.read_regular(path, shown))
        except uploads.NotRegular as exc:
            notes.append(f"{exc} Its tests score 0.")
            continue
        if len(candidates) > 1:
            notes.append(f"{name}.py: several copies were uploaded; graded {shown}.")
    return out, notes


def _read_py(path: Path) -> str | None:
    try:
        return uploads.read_regular(path, str(path)).decode("utf-8", "replace")
    except uploads.NotRegular:
        return None


def _notebook_modules(notebooks: list[tuple[str, Path]], exercises: list[str], dest: Path, source: Path,
                      notes: list[str]) -> dict[str, tuple[str, str]]:
    """exercise -> (notebook shown, module source) from the uploaded notebooks; written answers to
    dest/written/. With several notebooks, the first in sorted order that has an exercise wins."""
    if not notebooks:
        return {}
    from .regenerate import make_stub

    stubs = {}   # every exercise's stub, not only the graded ones: a cell tagged for one stays its own
    folder = source / "solutions" if (source / "solutions").is_dir() else source / "exercises"
    for path in sorted(folder.glob("*.py")):
        if not path.name.startswith("_"):
            text = path.read_text()
            stubs[path.stem] = make_stub(text, path.stem) if folder.name == "solutions" else text
    modules: dict[str, tuple[str, str]] = {}
    written: list[str] = []
    answers: list[dict] = []
    for shown, path in sorted(notebooks):
        try:
            nb = notebook.read(uploads.read_regular(path, shown), shown)
        except uploads.NotRegular as exc:
            notes.append(f"{exc} It is not graded.")
            continue
        except notebook.NotebookError as exc:
            notes.append(f"{exc} Nothing of it is graded.")
            continue
        got = notebook.extract(nb, stubs, shown)
        notes.extend(got.notes[:30])
        if len(got.notes) > 30:
            notes.append(f"{shown}: {len(got.notes) - 30} more notes like these.")
        for ex, text in got.modules.items():
            if ex not in exercises:
                continue
            if ex in modules:
                notes.append(f"{ex}: found in {modules[ex][0]} and {shown}; graded from {modules[ex][0]}.")
            else:
                modules[ex] = (shown, text)
        if got.answers:
            written.append(notebook.written_markdown(nb, got.answers))
            asked = notebook.questions(nb)
            answers += [{**a, "question": asked.get(a["id"], ""), "notebook": shown} for a in got.answers]
    if written:
        folder = dest / "written"
        folder.mkdir(parents=True, exist_ok=True)
        text = "\n\n".join(written)
        (folder / "written_answers.md").write_text(text)
        (folder / "written_answers.html").write_text(notebook.written_html(text))
        (folder / "written.json").write_text(json.dumps(answers))
    return modules


def _from_partial(path: Path) -> list[TestResult]:
    by_id: dict[str, TestResult] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            try:
                event = json.loads(line)
                result = TestResult(**event["result"])
            except (ValueError, TypeError, KeyError):
                continue  # a line cut short when the process died
            by_id[result.nodeid] = result
    return list(by_id.values())


def run(root: Path | None = None, source: Path | None = None, assignment: str | None = None,
        budget: float | None = None) -> dict:
    """Grade ``root/submission`` and write ``root/results/results.json``.

    Once pytest runs, this process replaces itself with :mod:`autograder.waiter` (~3 MB instead of this
    one's ~10 MB), which ends in :func:`finish` (``python -m autograder finish``): the call then never
    returns. Only if that exec is refused does this process wait, finish, and return what was written."""
    root = Path(root or default_root())
    source = Path(source or manifest.ROOT)
    budget = float(budget or os.environ.get("AUTOGRADER_BUDGET", "540"))
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="autograder-"))
    run_id = os.environ.get("AUTOGRADER_RUN_ID") or f"{os.getpid()}-{time.time_ns()}"
    plan = {"root": str(root), "work": str(work), "run_id": run_id, "started": started, "budget": budget}
    return _finished(plan, lambda: _grade(plan, source, assignment))


def _grade(plan: dict, source: Path, assignment: str | None) -> dict:
    """Prepare the run, start pytest, hand the waiting over (see :func:`run`); results.json's content."""
    root, work, run_id, started, budget = (Path(plan["root"]), Path(plan["work"]), plan["run_id"],
                                           plan["started"], plan["budget"])
    spec = manifest.load(source, assignment)
    if os.environ.get("AUTOGRADER_SANDBOX", "1") != "0" and sandbox.available():
        os.environ["AUTOGRADER_SANDBOX"] = "1"   # seen by the helpers below and the pytest subprocess
    sandbox.lock_down(source, root)
    private, scratch = sandbox.prepare_workdir(work)
    exdir, notes = collect_submission(root / "submission", list(spec.exercises), work, source)
    sandbox.share_read_only(exdir)
    raw = private / "results.json"
    # no:unraisableexception: its two full garbage collections at exit cost ~0.7 s a run, to
    # report warnings no one reads here.
    cmd = [sys.executable, "-m", "pytest", "tests", "-q", "--no-header", "-p", "no:cacheprovider",
           "-p", "no:unraisableexception",
           "--rootdir", str(source), "--submission", str(exdir), "--worker", "--assignment", spec.name,
           "--gradescope-results", str(raw), "--basetemp", str(private / "tmp")]
    # Bytecode may be cached (PYTHONDONTWRITEBYTECODE dropped): this process runs only the
    # grader's own code, and compiling the harness and every test module again (pytest's
    # assertion rewriting included) costs ~0.5 s a run. setup.sh writes the caches into the
    # image; the student's worker cannot write to them (root-owned folders), and the hidden
    # tests' caches sit inside folders that lock_down made root-only.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # The grader's own temporary files go to its private folder (root-only, never world-writable),
    # so student code cannot plant links where this root process writes.
    grader_tmp = private / "grader-tmp"
    grader_tmp.mkdir(mode=0o700, exist_ok=True)
    shared = work / "shared"       # folders handed to student code: passable, not listable
    shared.mkdir(mode=0o711, exist_ok=True)
    os.chmod(shared, 0o711)
    env.update(TMPDIR=str(grader_tmp), AUTOGRADER_SHARED=str(shared),
               AUTOGRADER_BUDGET=f"{max(budget - (time.monotonic() - started), 1.0):.1f}")
    # A fixed hash seed: workers forked from the grader inherit its seed (autograder/zygote.py), and
    # set and dict orders of strings must not change from one run to the next.
    env.update(AUTOGRADER_HYPOTHESIS_PROFILE="grading", AUTOGRADER_RUN_ID=run_id,
               AUTOGRADER_SCRATCH=str(scratch), PYTHONHASHSEED="0", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", **MALLOC_ENV)
    # pytest's output goes to a file in the private folder (root-only), not a pipe: the process that
    # waits for it then has nothing to read, and can be the small one of autograder/waiter.py.
    log = private / "pytest.log"
    plan.update(raw=str(raw), log=str(log), title=spec.title, notes=notes)
    plan_path = private / "plan.json"
    plan_path.write_text(json.dumps(plan))
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=source, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    deadline = max(started + budget, time.monotonic() + 1.0)
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(source)   # `python -m autograder finish` finds the package here
    try:
        waiter.hand_over(proc.pid, deadline, [sys.executable, "-m", "autograder", "finish", str(plan_path)])
    except OSError:
        pass   # the exec was refused: wait here instead
    code, timed_out = waiter.wait(proc.pid, deadline)
    return _outcome(plan, code, timed_out)


def finish(plan_path: Path, code: int, timed_out: bool) -> dict:
    """The end of a run that :func:`run` handed over to :mod:`autograder.waiter`: results.json from
    pytest's outcome (``code``, ``timed_out``) and the plan :func:`run` left in its private folder."""
    plan = json.loads(Path(plan_path).read_text())
    return _finished(plan, lambda: _outcome(plan, code, timed_out))


def _finished(plan: dict, body) -> dict:
    """``body()``'s results.json, written by :func:`_close` whatever happens: if it raises, a failure that
    says what it raised (a KeyboardInterrupt or SystemExit is raised on once the file is written)."""
    doc: dict | None = None
    try:
        doc = body()
    except BaseException as exc:  # anything at all: the student still gets a valid file
        doc = results.failure(f"{type(exc).__name__}: {exc}", exc)
        if not isinstance(exc, Exception):
            raise
    finally:
        doc = _close(doc, plan)
    return doc


def _outcome(plan: dict, code: int, timed_out: bool) -> dict:
    """results.json's content from what pytest left: its results file, else the tests it streamed."""
    raw, log = Path(plan["raw"]), Path(plan["log"])
    try:
        size = log.stat().st_size
        with open(log, "rb") as f:
            f.seek(max(size - 200_000, 0))
            sys.stdout.write(f.read().decode("utf-8", "replace"))   # Gradescope keeps this for the staff
    except OSError:
        pass
    if raw.is_file() and not timed_out:
        doc = json.loads(raw.read_text())
    else:
        reason = (f"grading ran out of its {plan['budget']:g}s time budget" if timed_out
                  else f"the grading process ended unexpectedly (exit code {code})")
        doc = results.failure(reason, partial=_from_partial(Path(str(raw) + ".partial.jsonl")))
    summary = f"Assignment: {plan['title']}."
    doc["output"] = "\n".join([summary, *plan["notes"], doc.get("output", "")]).strip()
    work, root = Path(plan["work"]), Path(plan["root"])
    written = work / "written" / "written_answers.md"
    if written.is_file():   # for Gradescope's manually graded questions
        (root / "results").mkdir(parents=True, exist_ok=True)
        for part in ("written_answers.md", "written_answers.html"):
            shutil.copyfile(work / "written" / part, root / "results" / part)
        extra = doc.setdefault("extra_data", {})
        extra["written_answers"] = written.read_text()[:100_000]
        extra["written"] = json.loads((work / "written" / "written.json").read_text())
    return doc


def _close(doc: dict | None, plan: dict) -> dict:
    """Write results.json (a failure if there is no ``doc``) and remove the run's leftovers."""
    if doc is None:
        doc = results.failure("the grader stopped before producing results")
    doc["execution_time"] = round(time.monotonic() - plan["started"], 3)
    doc = results.write(doc, Path(plan["root"]) / "results" / "results.json")
    sandbox.sweep(plan["run_id"])   # only this run's leftovers: runs side by side leave each other alone
    shutil.rmtree(plan["work"], ignore_errors=True)
    return doc
