"""run_autograder against a fake /autograder tree (AUTOGRADER_ROOT), and the bundles."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder import build, manifest, results
from autograder.gradescope import collect_submission

from .conftest import ROOT, SOLUTION
from .conftest import run_autograder as run_all

# Runs that use the sandbox user run one at a time (see the lock in conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

# These tests are about run_autograder itself: they grade the conv_arithmetic exercise only.
FULL = manifest.load(ROOT).exercises["conv_arithmetic"]


def run_autograder(root, env=None):
    return run_all(root, env={"AUTOGRADER_EXERCISES": "conv_arithmetic", **(env or {})})


def tree(tmp_path, files: dict[str, str | bytes]):
    root = tmp_path / "autograder"
    for name, data in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    (root / "submission").mkdir(parents=True, exist_ok=True)
    return root


def test_reference_loose_file_scores_full(tmp_path):
    doc = run_autograder(tree(tmp_path, {"conv_arithmetic.py": SOLUTION}))
    assert doc["score"] == FULL and all(t["status"] == "passed" for t in doc["tests"])


def test_untouched_stubs_score_zero(tmp_path):
    stub = (ROOT / "exercises" / "conv_arithmetic.py").read_text()
    doc = run_autograder(tree(tmp_path, {"exercises/conv_arithmetic.py": stub}))
    assert doc["score"] == 0 and len(doc["tests"]) > 20


def test_syntax_error_costs_only_that_module_and_names_file_and_line(tmp_path):
    broken = SOLUTION.replace("def fc_param_count(", "def fc_param_count(:", 1)
    doc = run_autograder(tree(tmp_path, {"exercises/conv_arithmetic.py": broken}))
    assert doc["score"] == 0
    line = broken[: broken.index("def fc_param_count(:")].count("\n") + 1
    assert all(f"exercises/conv_arithmetic.py, line {line}: SyntaxError" in t["output"] for t in doc["tests"])


def test_infinite_loop_is_reported_as_timeout_and_the_rest_is_graded(tmp_path):
    looping = SOLUTION + "\n\ndef conv_output_length(*args, **kwargs):\n    while True:\n        pass\n"
    doc = run_autograder(tree(tmp_path, {"conv_arithmetic.py": looping}), env={"AUTOGRADER_CALL_TIMEOUT": "1"})
    timed_out = [t for t in doc["tests"] if "did not finish within" in t["output"]]
    assert timed_out and all(t["score"] == 0 for t in timed_out)
    fc = next(t for t in doc["tests"] if "fc_param_count agrees" in t["name"])
    assert fc["score"] == fc["max_score"] > 0


def test_a_run_past_its_budget_is_killed_and_waited_for_by_a_small_process(tmp_path):
    """AUTOGRADER_BUDGET: the run is stopped there, not at the call's or the exercise's time limit, and says so;
    the tests graded before it keep their scores. While pytest runs, the process run_autograder started has replaced
    itself with autograder/waiter.py (python -I -S), and nothing of the run outlives it."""
    from autograder import dryrun

    looping = SOLUTION + "\n\ndef fc_param_count(*args, **kwargs):\n    while True:\n        pass\n"
    root = tree(tmp_path, {"conv_arithmetic.py": looping})
    run_id = f"budget-test-{os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_EXERCISES": "conv_arithmetic",
           "AUTOGRADER_CALL_TIMEOUT": "120", "AUTOGRADER_EXERCISE_SECONDS": "120", "AUTOGRADER_BUDGET": "20",
           "AUTOGRADER_RUN_ID": run_id}
    proc = subprocess.Popen([str(ROOT / "run_autograder")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    waiting = None   # the command line of the process that pytest is a child of
    while proc.poll() is None and waiting is None:
        for pid in _run_processes(run_id):
            parent = dryrun.parent_of(pid)
            if parent is not None and "-m pytest" in _cmdline(pid) and "-m pytest" not in _cmdline(parent):
                waiting = _cmdline(parent)
        time.sleep(0.05)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    assert waiting is not None and " -I -S " in waiting and "/autograder/waiter.py " in waiting, waiting
    doc = json.loads((root / "results" / "results.json").read_text())
    results.validate(doc)
    assert "grading ran out of its 20s time budget" in doc["output"], doc["output"]
    assert doc["execution_time"] < 120, doc["execution_time"]   # the budget stopped it, not the call's limit
    assert any(t["score"] > 0 for t in doc["tests"]), "tests graded before the stop keep their scores"
    assert not _run_processes(run_id), "a process of the run outlived it"


def _run_processes(run_id: str) -> list[int]:
    """Processes whose environment carries this run's AUTOGRADER_RUN_ID (the run's own, as root sees them)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if f"AUTOGRADER_RUN_ID={run_id}".encode() in open(f"/proc/{entry}/environ", "rb").read():
                    found.append(int(entry))
            except OSError:
                pass
    return found


def _cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def test_run_first_exercises_are_graded_first_and_reported_in_their_usual_place(tmp_path):
    # cnn-foundations lists pooling in run_first: graded before kernels, listed after it as before
    spec = manifest.load(ROOT, "cnn-foundations")
    assert spec.run_first[:2] == ("cam", "pooling") and spec.index("kernels") < spec.index("pooling")
    env = {**os.environ, "AUTOGRADER_EXERCISES": "kernels,pooling"}
    listed = subprocess.run([sys.executable, "-m", "pytest", "tests", "--co", "-q", "-p", "no:cacheprovider",
                             "--assignment", "cnn-foundations"], cwd=ROOT, env=env, capture_output=True, text=True)
    ran = [line.split("::")[0] for line in listed.stdout.splitlines() if "::" in line]
    exercises = [name.rsplit("/test_", 1)[1].removesuffix(".py").removesuffix("_hidden") for name in ran]
    assert exercises and exercises == sorted(exercises, key=spec.run_position), exercises
    assert exercises[0] == "pooling" and exercises[-1] == "kernels"
    table = [line.split()[0] for line in listed.stdout.splitlines() if line.split()[:1] in (["kernels"], ["pooling"])]
    assert table == ["kernels", "pooling"]             # the score table: manifest order
    doc = run_all(tree(tmp_path, {}), env={"AUTOGRADER_EXERCISES": "kernels,pooling"})
    names = [t["name"].split(":")[0] for t in doc["tests"]]
    assert names.index("kernels") < names.index("pooling")   # results.json: as before (public tests first, by file)


def test_student_zip_upload_is_found_and_graded(tmp_path):
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("student/exercises/conv_arithmetic.py", SOLUTION)
        zf.writestr("student/tests/public/conv_arithmetic.py", "broken = (")
    doc = run_autograder(tree(tmp_path, {"submission.zip": archive.read_bytes()}))
    assert doc["score"] == FULL


def test_missing_file_is_named_in_the_output(tmp_path):
    doc = run_autograder(tree(tmp_path, {"notes.txt": "hello"}))
    assert doc["score"] == 0 and "conv_arithmetic.py: not found" in doc["output"]


def test_grader_crash_gives_visible_failure_and_hidden_traceback(tmp_path):
    root = tree(tmp_path, {"conv_arithmetic.py": SOLUTION})
    doc = run_autograder(root, env={"AUTOGRADER_ASSIGNMENT": "no-such-assignment"})
    visible = [t for t in doc["tests"] if t.get("visibility") != "hidden"]
    hidden = [t for t in doc["tests"] if t.get("visibility") == "hidden"]
    assert visible[0]["name"] == "Autograder failed" and "Traceback" in hidden[0]["output"]


def test_collect_submission_prefers_the_exercises_folder(tmp_path):
    up = tmp_path / "up"
    (up / "exercises").mkdir(parents=True)
    (up / "exercises" / "conv_arithmetic.py").write_text("A = 1\n")
    (up / "conv_arithmetic.py").write_text("A = 2\n")
    folder, notes = collect_submission(up, ["conv_arithmetic"], tmp_path / "work")
    assert (folder / "conv_arithmetic.py").read_text() == "A = 1\n" and "several copies" in notes[0]


def test_student_zip_has_no_solutions_and_grades_on_its_own(tmp_path):
    student, autograder_zip = build.build(tmp_path / "dist")
    names = zipfile.ZipFile(student).namelist()
    assert not [n for n in names if n.startswith(("solutions/", "tests/hidden/", "selftests/"))]
    assert "exercises/conv_arithmetic.py" in names and "tests/keys/conv_arithmetic.json" in names
    assert "exercises/assets/pooling/sample.png" in names
    ag_names = zipfile.ZipFile(autograder_zip).namelist()
    assert {"setup.sh", "run_autograder", "solutions/conv_arithmetic.py"} <= set(ag_names)

    unpacked = tmp_path / "student"
    zipfile.ZipFile(student).extractall(unpacked)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    stubs = subprocess.run([sys.executable, "-m", "pytest"], cwd=unpacked, capture_output=True, text=True, env=env)
    assert stubs.returncode == 1 and "Total                0.00" in stubs.stdout, stubs.stdout[-2000:]
    bundled = list(manifest.load(ROOT).exercises)   # the default assignment's
    for exercise in bundled:
        shutil.copyfile(ROOT / "solutions" / f"{exercise}.py", unpacked / "exercises" / f"{exercise}.py")
    solved = subprocess.run([sys.executable, "-m", "pytest"], cwd=unpacked, capture_output=True, text=True, env=env)
    assert solved.returncode == 0, solved.stdout[-2000:]
    public = sum(1 for n in names if n.startswith("tests/public/test_"))
    assert public == len(bundled) and "passed" in solved.stdout and not (unpacked / "solutions").exists()
    assert f"(of {FULL:g}: the rest is graded by hidden tests" in solved.stdout


@pytest.mark.parametrize("spec", manifest.all_assignments(ROOT), ids=lambda a: a.name)
def test_each_assignment_bundles_exactly_its_own_exercises(tmp_path, spec):
    student, autograder_zip = build.build(tmp_path / "dist", spec.name)
    stubs = {n.removeprefix("exercises/").removesuffix(".py") for n in zipfile.ZipFile(student).namelist()
             if n.startswith("exercises/") and n.endswith(".py")}
    assert stubs == set(spec.exercises)
    graded = {n for n in zipfile.ZipFile(autograder_zip).namelist() if n.startswith("solutions/") and n.endswith(".py")}
    assert graded == {f"solutions/{e}.py" for e in spec.exercises}
    assert f'default = "{spec.name}"' in zipfile.ZipFile(student).read("assignments.toml").decode()


def test_bundles_are_reproducible(tmp_path):
    first = [p.read_bytes() for p in build.build(tmp_path / "a")]
    second = [p.read_bytes() for p in build.build(tmp_path / "b")]
    assert first == second


def test_dry_run_grades_on_one_cpu_and_reports_time_memory_and_score(monkeypatch):
    from autograder import dryrun

    monkeypatch.setenv("AUTOGRADER_EXERCISES", "conv_arithmetic")
    run = dryrun.dry_run(ROOT / "solutions")
    assert run["cpus"] == 1 and not run["killed"] and run["results"]["score"] == FULL
    assert run["peak_mb"] > 100          # at least the grader's own torch process was sampled
    text = dryrun.report(run)
    assert f"score          {FULL:g} / {FULL:g}" in text and "verdict" in text
    assert run["samples"] > 0 and ("samples were dropped" in text) == (run["dropped"] > 0)
    assert "3 of 40 memory samples were dropped" in dryrun.report({**run, "samples": 37, "dropped": 3})


def test_dry_run_says_when_the_run_does_not_fit_the_timeout(monkeypatch):
    from autograder import dryrun

    monkeypatch.setenv("AUTOGRADER_EXERCISES", "conv_arithmetic")
    run = dryrun.dry_run(ROOT / "solutions", timeout=1.0)
    assert run["killed"] and "did NOT finish within 1 s" in dryrun.report(run)


def _alone_and_with_a_forked_child() -> tuple[int, int, int]:
    """dryrun.memory_kb of this process alone, then (and the resident sizes summed) with a forked child,
    which shares every page until it writes one, as a forked worker does."""
    from autograder import dryrun

    alone, _ = dryrun.memory_kb([os.getpid()])
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    try:
        time.sleep(0.2)
        both, rss = dryrun.memory_kb([os.getpid(), pid])
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    return alone, both, rss


def test_dry_run_memory_counts_pages_shared_by_the_run_once():
    block = bytearray(os.urandom(1 << 20)) * 64   # 64 MB of this process's own (anonymous) pages
    alone, both, rss = _alone_and_with_a_forked_child()
    assert alone > 64 * 1024 and len(block) == 64 << 20
    assert both < alone + 16 * 1024                    # the shared pages (and libraries) once
    assert rss > alone + 60 * 1024                     # the resident sizes summed count the 64 MB twice


def test_dry_run_memory_counts_library_pages_copied_before_a_fork_once():
    # a library's relocated data (~6.5 MB with torch imported) is copied on write in the first process;
    # a forked process shares those copies until it writes one, so they count once, as the container does
    import torch  # noqa: F401 - its libraries' copied pages are what this measures

    copied = sum(int(kb) for kb in re.findall(r"^Anonymous: +(\d+) kB", _file_mappings(os.getpid()), re.M))
    assert copied > 3 * 1024, "torch's libraries should have pages copied on write"
    alone, both, _ = _alone_and_with_a_forked_child()
    if "Pss_Dirty:" in Path(f"/proc/{os.getpid()}/smaps_rollup").read_text():
        assert both - alone < copied                   # the child's share of them, not their full size again
    else:   # before Linux 6.0: no proportional share to read, so the full size again
        assert both - alone >= copied


CHURN = """
import os, sys, time
shared = bytearray(os.urandom(1 << 20)) * 200          # shared with a forked sibling, as the grader's with a worker
sibling = os.fork()
if sibling == 0:
    time.sleep(30)
    os._exit(0)
own = bytearray(os.urandom(1 << 20)) * 60              # this process's own
print("ready", flush=True)
sys.stdin.readline()
end = time.monotonic() + 3
while time.monotonic() < end:                          # short-lived children, as the grader's isolated checks
    child = os.fork()
    if child == 0:
        time.sleep(0.02)
        os._exit(0)
    os.waitpid(child, 0)
os.kill(sibling, 9)
"""


def test_dry_run_memory_is_not_moved_by_processes_that_start_and_end_while_it_reads():
    from autograder import dryrun

    proc = subprocess.Popen([sys.executable, "-c", CHURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.2)
        steady, _ = dryrun.tree_memory_kb(proc.pid)   # nothing starts or ends yet
        sampler = dryrun.MemorySampler(proc.pid, every=0.005)
        sampler.start()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        proc.wait(timeout=60)
        peak = sampler.stop()
    finally:
        proc.kill()
    assert steady > 250 * 1024 and sampler.samples > 0
    assert abs(peak - steady) < 8 * 1024, (steady, peak)   # a fork or an exit mid-sample once added ~35 MB


EXITING = """
import os, sys, time
shared = bytearray(os.urandom(1 << 20)) * 200          # shared by all three processes
pids = []
for _ in range(2):                                     # a sibling that stays, and a child that will exit
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    pids.append(pid)
print(*pids, flush=True)
sys.stdin.readline()                                   # the exited child stays a zombie until then
"""


def test_dry_run_memory_takes_a_sample_again_when_a_process_exits_while_it_reads(monkeypatch):
    # a process that exits between two reads takes its share of the pages with it: the reads before and after
    # it do not add up. Once it is a zombie it is still listed (until its parent reaps it, which a parent on a
    # loaded machine can take a while to do), so a list of pids alone does not show the change.
    from autograder import dryrun

    proc = subprocess.Popen([sys.executable, "-c", EXITING], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    sibling = None
    try:
        sibling, exiting = map(int, proc.stdout.readline().split())
        read = dryrun._memory_kb

        def exit_after_the_first_read(pid):
            got = read(pid)
            if not killed:
                os.kill(exiting, 9)
                killed.append(exiting)
                deadline = time.monotonic() + 10
                while Path(f"/proc/{exiting}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    assert time.monotonic() < deadline, "the killed child did not become a zombie"
                    time.sleep(0.001)
            return got

        killed = []
        monkeypatch.setattr(dryrun, "_memory_kb", exit_after_the_first_read)
        during, _ = dryrun.tree_memory_kb(proc.pid)
        monkeypatch.setattr(dryrun, "_memory_kb", read)
        after, _ = dryrun.tree_memory_kb(proc.pid)
    finally:
        proc.kill()
        proc.wait()
        if sibling:   # it would outlive its parent, with the 200 MB, for a minute
            os.kill(sibling, 9)
    assert killed and after > 200 * 1024
    assert abs(during - after) < 8 * 1024, (during, after)   # the shared 200 MB, each page once


def _file_mappings(pid: int) -> str:
    """The parts of /proc/PID/smaps that describe mappings of files."""
    parts = re.split(r"^(?=[0-9a-f]+-[0-9a-f]+ )", Path(f"/proc/{pid}/smaps").read_text(), flags=re.M)
    return "".join(p for p in parts if p and p.split("\n", 1)[0].split()[4] != "0")
