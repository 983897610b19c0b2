"""Unit tests of the harness's parts: the wire, the worker, stubs, keys, results."""
from __future__ import annotations

import fractions
import importlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import sympy
import torch

from autograder import checks, manifest, results, seam, wire
from autograder.errors import StudentTimeout, WorkerCrashed
from autograder.regenerate import MarkerError, make_stub

from .conftest import ROOT


@pytest.mark.parametrize("value", [
    None, True, 3, 2.5, float("inf"), "s", [1, (2, 3)], {"a": (1,), 2: [3]}, fractions.Fraction(1, 3),
    np.arange(6, dtype=np.float32).reshape(2, 3), np.int64(7), torch.arange(4.0).reshape(2, 2),
    sympy.Symbol("w0") * sympy.sqrt(2) + sympy.Rational(1, 3), sympy.Matrix([[sympy.Symbol("z0"), 0]])])
def test_plain_values_round_trip_exactly(value):
    back = wire.decode(wire.encode(value))
    assert type(back) is type(value) or isinstance(value, sympy.Basic)
    if isinstance(value, (np.ndarray, torch.Tensor)):
        assert back.dtype == value.dtype and (back == value).all()
    else:
        assert back == value


class Liar:
    def __eq__(self, other):
        return True


class Tensorish(torch.Tensor):
    pass


@pytest.mark.parametrize("value", [Liar(), torch.ones(2).as_subclass(Tensorish), np.ones(2).view(np.matrix)])
def test_objects_that_are_not_plain_data_become_handles(value):
    encoded = wire.encode(value, lambda obj: {"$t": "handle", "id": 1, "type": type(obj).__name__})
    assert encoded["$t"] == "handle"


def test_decoding_refuses_unknown_sympy_nodes_and_object_arrays():
    with pytest.raises(wire.WireError):
        wire.decode({"$t": "sympy", "v": ["Evaluate", []]})
    with pytest.raises(wire.WireError):
        wire.decode({"$t": "ndarray", "dtype": "|O", "shape": [1], "data": ""})


def test_handle_never_equals_a_plain_value(tmp_path):
    (tmp_path / "m.py").write_text("class Liar:\n    def __eq__(self, o): return True\ndef f(): return Liar()\n")
    ex = seam.LocalExecutor(tmp_path)
    got = ex.module("m").f()
    assert isinstance(got, seam.Handle) and got != 3


def test_worker_kills_a_hung_call_and_serves_the_next(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text("import os\ndef spin():\n    while True: pass\ndef die(): os._exit(3)\n"
                                   "def ok(x): return x + 1\n")
    monkeypatch.setattr(seam, "CALL_TIMEOUT", 1.0)
    ex = seam.WorkerExecutor(tmp_path, preload="")
    try:
        m = ex.module("m")
        with pytest.raises(StudentTimeout):
            m.spin()
        with pytest.raises(WorkerCrashed, match="exit code 3"):
            m.die()
        assert m.ok(1) == 2 and ex.restarts == 2
    finally:
        ex.close()


def test_call_limit_lets_a_training_call_run_longer_and_names_its_limit(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text("import time\ndef train(s):\n    time.sleep(s)\n    return s\n")
    monkeypatch.setattr(seam, "CALL_TIMEOUT", 0.3)
    ex = seam.LocalExecutor(tmp_path)
    m = ex.module("m")
    with pytest.raises(StudentTimeout, match="within 0.3s"):
        m.train(0.6)
    with seam.call_limit(2.0, "your training"):
        assert m.train(0.6) == 0.6
        with pytest.raises(StudentTimeout, match=r"your training \(.*train.*\) took more than 2s; the limit is 2s"):
            m.train(3.0)
    with pytest.raises(StudentTimeout, match="within 0.3s"):   # the longer limit ends with the block
        m.train(0.6)


def test_an_import_that_hangs_is_tried_once_and_remembered(tmp_path, monkeypatch):
    log = tmp_path / "imports.log"
    (tmp_path / "m.py").write_text(f"with open({str(log)!r}, 'a') as f:\n    f.write('x')\nwhile True:\n    pass\n")
    monkeypatch.setattr(seam, "CALL_TIMEOUT", 1.0)
    ex = seam.WorkerExecutor(tmp_path, preload="")
    try:
        for _ in range(3):
            with pytest.raises(seam.SubmissionImportError, match="did not finish within"):
                ex.module("m").f()
        assert log.read_text() == "x"
    finally:
        ex.close()


@pytest.mark.parametrize("worker", [False, True], ids=["in-process", "worker"])
def test_a_finished_tests_handles_are_released_and_modules_kept(tmp_path, worker):
    (tmp_path / "m.py").write_text("import weakref\nclass Box:\n    pass\nrefs = []\n"
                                   "def make():\n    b = Box()\n    refs.append(weakref.ref(b))\n    return b\n"
                                   "def alive():\n    return sum(r() is not None for r in refs)\n")
    ex = seam.WorkerExecutor(tmp_path, preload="") if worker else seam.LocalExecutor(tmp_path)
    try:
        m = ex.module("m")
        ex.begin_test()
        boxes = [m.make(), m.make()]
        assert all(isinstance(b, seam.Handle) for b in boxes) and m.alive() == 2
        ex.end_test()                      # the worker forgets both boxes; the module stays
        assert m.alive() == 0
        ex.begin_test()
        assert isinstance(m.make(), seam.Handle) and m.alive() == 1
    finally:
        ex.close()


def test_worker_is_recycled_only_when_its_headroom_is_gone(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text("def ok():\n    return 1\n")
    from autograder import sandbox

    ex = seam.WorkerExecutor(tmp_path, preload="")
    try:
        assert ex.module("m").ok() == 1
        pid = ex.proc.pid
        assert not ex.recycle_if_large() and ex.proc.pid == pid        # a bare interpreter: plenty left
        monkeypatch.setattr(sandbox, "MEMORY_MB", 8)                   # less than a bare interpreter holds
        assert ex.recycle_if_large() and ex.proc is None
        assert ex.module("m").ok() == 1 and ex.proc.pid != pid          # a fresh worker serves the next call
    finally:
        ex.close()


def test_the_worker_collects_garbage_again_once_its_preloads_are_in(tmp_path):
    (tmp_path / "m.py").write_text("import gc\ndef state():\n    return [gc.isenabled(), gc.get_freeze_count() > 0]\n")
    ex = seam.WorkerExecutor(tmp_path, preload="json")
    try:
        assert ex.module("m").state() == [True, True]
    finally:
        ex.close()


def test_stub_keeps_signature_and_docstring_and_raises():
    source = 'def f(x):\n    """Doc."""\n    # BEGIN SOLUTION\n    return x\n    # END SOLUTION\n'
    stub = make_stub(source, "m")
    assert '"""Doc."""' in stub and "raise NotImplementedError(\"f:" in stub and "return x" not in stub
    with pytest.raises(MarkerError):
        make_stub("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "m")


def test_canonical_answers_ignore_container_and_integral_float():
    assert checks.canonical((8, 99)) == checks.canonical([np.int64(8), 99.0])
    assert checks.canonical((8, 99)) != checks.canonical((99, 8))


def test_sympy_equivalence_needs_real_equality():
    x = sympy.Symbol("x")
    assert checks.sympy_equivalent(sympy.sin(x) ** 2 + sympy.cos(x) ** 2, 1)
    assert not checks.sympy_equivalent(x ** 2, x)


def test_failure_results_are_schema_valid_and_hide_the_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        doc = results.failure("broken", exc)
    results.validate(doc)
    assert [t["visibility"] for t in doc["tests"]] == ["visible", "hidden"]


def test_schema_rejects_a_bad_visibility():
    with pytest.raises(Exception):
        results.validate({"score": 1, "tests": [{"score": 1, "visibility": "students"}]})


def test_sympy_equivalence_is_false_not_an_error_for_a_constant_difference():
    import sympy

    w, h, b = sympy.symbols("w h b")
    sigma_prime = sympy.Function("sigma_prime")
    skip = 1 + w * sigma_prime(w * h + b)
    assert not checks.sympy_equivalent(w * sigma_prime(w * h + b), skip)   # the +1 of the skip path missing
    assert checks.sympy_equivalent(w * sigma_prime(b + h * w) + 1, skip)


def _python(code: str, env: dict | None = None, timeout: float | None = 300) -> str:
    """What ``python -c code`` prints, run from the repository in a fresh interpreter (which must succeed)."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_seeding_turns_on_deterministic_algorithms_without_importing_inductor():
    """seed_everything sets torch's flag directly: the public setter imports the ~2 s inductor config."""
    code = ("import sys, torch; from autograder.seam import seed_everything; seed_everything(3); "
            "assert torch.are_deterministic_algorithms_enabled(); "
            "assert torch.is_deterministic_algorithms_warn_only_enabled(); "
            "assert 'torch._inductor.config' not in sys.modules, 'inductor was imported'")
    _python(code, timeout=None)


@pytest.mark.parametrize("path", sorted((ROOT / "tests").glob("*/test_*.py")), ids=lambda p: p.name)
def test_each_test_file_is_named_after_the_exercise_it_grades(path):
    """Grading runs skip other assignments' test files by name (plugin.pytest_ignore_collect), so a
    file's name must name the exercise its `pytest.mark.exercise` marker grades."""
    from autograder.plugin import exercise_of_file

    module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    marks = getattr(module, "pytestmark", [])
    marks = marks if isinstance(marks, list) else [marks]
    graded = {str(m.args[0]) for m in marks if m.name == "exercise" and m.args}
    assert graded == {exercise_of_file(path, manifest.all_exercises(ROOT))}


def test_a_training_test_reports_the_accuracy_the_grader_measured_the_same_every_run(tmp_path):
    """seam.note: an end-to-end training test shows the held-out accuracy it measured, under its own heading
    (not as if the student's code had printed it), also when it passes; the same submission trained twice, each
    time in a fresh worker, reaches the same accuracy to the last digit."""
    import json

    measured = []
    for run in range(2):
        out = tmp_path / f"results{run}.json"
        subprocess.run([sys.executable, "-m", "pytest", "tests/public/test_cnn_training.py", "-q", "-p",
                        "no:cacheprovider", "-k", "end_to_end", "--submission", str(ROOT / "solutions"), "--worker",
                        "--assignment", "training", "--gradescope-results", str(out)], cwd=ROOT, capture_output=True,
                       check=False)
        (test,) = [t for t in json.loads(out.read_text())["tests"] if "end_to_end" in t["extra_data"]["nodeid"]]
        assert test["status"] == "passed"
        assert "The grader measured:\nheld-out accuracy of fit(CNN(), ...) on the digits: 0.9" in test["output"]
        line = test["output"].split("The grader measured:\n")[1].splitlines()[0]
        measured.append(line)
    assert measured[0] == measured[1], measured


FRESH_WORKER_TESTS = """
import json, os
import pytest

pytestmark = pytest.mark.exercise("conv_arithmetic")
PIDS = []


def test_a(submission):
    PIDS.append(submission("m").pid())


def test_b(submission):
    PIDS.append(submission("m").pid())


@pytest.mark.fresh_worker
def test_c(submission):
    PIDS.append(submission("m").pid())


def test_d(submission):
    PIDS.append(submission("m").pid())
    with open(os.environ["PIDS_OUT"], "w") as out:
        json.dump(PIDS, out)
"""


def test_a_fresh_worker_test_gets_a_worker_forked_for_it(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.py").write_text("import os\n\ndef pid():\n    return os.getpid()\n")
    (tmp_path / "test_fresh.py").write_text(FRESH_WORKER_TESTS)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0", "PIDS_OUT": str(tmp_path / "pids.json")}
    cmd = [sys.executable, "-m", "pytest", str(tmp_path / "test_fresh.py"), "-q", "-p", "autograder.plugin", "-p",
           "no:cacheprovider", "--rootdir", str(tmp_path), "--submission", str(tmp_path / "sub"), "--worker",
           "--assignment", "cnn-foundations"]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    a, b, c, d = json.loads((tmp_path / "pids.json").read_text())
    assert a == b and c != b and d == c   # one worker for the exercise, and a fresh one from the marked test on


@pytest.mark.parametrize("forked", [True, False])
def test_each_exercise_gets_a_fresh_worker_when_one_costs_a_fork(tmp_path, monkeypatch, forked):
    (tmp_path / "m.py").write_text("import os\nSTATE = []\n\ndef pid():\n    return os.getpid()\n\n"
                                   "def keep(x):\n    STATE.append(x)\n    return len(STATE)\n")
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    monkeypatch.setenv("AUTOGRADER_FORKSERVER", "1" if forked else "0")
    assert seam.start_fork_server(preload="json") is forked
    ex = seam.WorkerExecutor(tmp_path, preload="json")
    try:
        m = ex.module("m")
        first = m.pid()
        assert m.keep("the first exercise's object") == 1
        ex.recycle_for_next_exercise()
        m = ex.module("m")
        if forked:   # nothing the first exercise's code left behind reaches the next
            assert m.pid() != first and m.keep("x") == 1
        else:        # a spawned worker costs a whole import: kept while it is untouched and small
            assert m.pid() == first and m.keep("x") == 2
    finally:
        ex.close()
        seam.stop_fork_server()


def test_manifest_worker_imports_are_read_and_checked(tmp_path):
    (tmp_path / "assignments.toml").write_text(
        '[assignments.a]\ntitle = "A"\nexercises = { e = 1 }\nworker_imports = ["torch._dynamo"]\n'
        '[assignments.b]\ntitle = "B"\nexercises = { e = 1 }\n'
        '[assignments.c]\ntitle = "C"\nexercises = { e = 1 }\nworker_imports = "torch._dynamo"\n')
    assert manifest.load(tmp_path, "a").worker_imports == ("torch._dynamo",)
    assert manifest.load(tmp_path, "b").worker_imports == ()
    with pytest.raises(manifest.ManifestError, match="worker_imports must be a list of module names"):
        manifest.load(tmp_path, "c")


def test_manifest_run_first_is_read_checked_and_sets_the_grading_order(tmp_path, monkeypatch):
    (tmp_path / "assignments.toml").write_text(
        '[assignments.a]\ntitle = "A"\nexercises = { e = 1, f = 1, g = 1, h = 1 }\nrun_first = ["h", "f"]\n'
        '[assignments.b]\ntitle = "B"\nexercises = { e = 1, f = 1 }\n'
        '[assignments.c]\ntitle = "C"\nexercises = { e = 1 }\nrun_first = "e"\n'
        '[assignments.d]\ntitle = "D"\nexercises = { e = 1 }\nrun_first = ["x"]\n'
        '[assignments.e]\ntitle = "E"\nexercises = { e = 1, f = 1 }\nrun_first = ["e", "e"]\n')
    a = manifest.load(tmp_path, "a")
    assert a.run_first == ("h", "f") and list(a.exercises) == ["e", "f", "g", "h"]   # the listing keeps its order
    assert sorted(a.exercises, key=a.run_position) == ["h", "f", "e", "g"]
    b = manifest.load(tmp_path, "b")
    assert b.run_first == () and sorted(b.exercises, key=b.run_position) == ["e", "f"]
    with pytest.raises(manifest.ManifestError, match="run_first must be a list of exercise names"):
        manifest.load(tmp_path, "c")
    with pytest.raises(manifest.ManifestError, match="not in its exercises: x"):
        manifest.load(tmp_path, "d")
    with pytest.raises(manifest.ManifestError, match="at most once"):
        manifest.load(tmp_path, "e")
    monkeypatch.setenv("AUTOGRADER_EXERCISES", "e,f")   # a part of the assignment: the rest of run_first is left out
    part = manifest.load(tmp_path, "a")
    assert sorted(part.exercises, key=part.run_position) == ["f", "e"]


def test_after_the_preloads_first_uses_of_torch_checks_and_sympy_sums_import_nothing():
    # torch imports symbolic_shapes (and sympy) at its first torch._check, sympy imports sympy.tensor.tensor
    # at its first sum of terms: preloaded, the grader and the workers share them (seam.PRELOAD)
    code = ("import sys\nfrom autograder import seam\n"
            "for name in seam.PRELOAD.split(','):\n    __import__(name)\n"
            "import torch, sympy\nbefore = set(sys.modules)\n"
            "x = torch.empty(1, 3, 8, 8, device='meta')\n"
            "torch.nn.functional.conv2d(x, torch.empty(4, 3, 3, 3, device='meta'))\n"
            "q = torch.randn(2, 5, 4)\nmask = torch.zeros(2, 5, dtype=torch.bool)\nmask[0, 3:] = True\n"
            "torch.nn.MultiheadAttention(4, 2, batch_first=True)(q, q, q, key_padding_mask=mask)\n"
            "a, b, c = sympy.symbols('a b c')\nprint(a * b + b * c + c * a)\n"
            "print(sorted(set(sys.modules) - before))\n")
    assert _python(code, timeout=None).splitlines()[-1] == "[]"


def test_sympy_equivalent_imports_what_simplify_imports_before_it_forks_the_check():
    # the check's simplify runs in a forked child (checks.isolated), whose imports are thrown away: the
    # parent imports them first, so that no child imports them again
    code = ("import sys, sympy\nfrom autograder import checks\nmu, s, d = sympy.symbols('mu sigma d')\n"
            "key = sympy.expand(d * ((mu**2 + s**2)**2 - mu**4))\n"
            "assert checks.sympy_equivalent(d * (s**4 + 2 * mu**2 * s**2), key)\n"
            "print([n for n in checks.SIMPLIFY_IMPORTS if n not in sys.modules])\n"
            "before = set(sys.modules)\nsympy.simplify(d * (s**4 + 2 * mu**2 * s**2) - d * s**2 * (s**2 + 2 * mu**2))\n"
            "print(sorted(set(sys.modules) - before))\n")
    assert _python(code, timeout=None).splitlines() == ["[]", "[]"]


def test_recording_a_probe_does_not_import_torch_dynamo():
    # torch wraps a dispatch mode's __torch_dispatch__ to keep dynamo out, and that wrapper imports
    # torch._dynamo (~0.75 s CPU, ~40 MB) in every worker at its first rules probe; rules opts out
    code = ("import sys, torch\nfrom autograder import rules\n"
            "report = rules.call_forbidding([], torch, 'relu', torch.ones(2))\n"
            "assert 'relu' in report['ops'] and report['canary'] == [True, True], report\n"
            "print('torch._dynamo' in sys.modules)\n")
    assert _python(code, timeout=120).strip() == "False"


def test_optimizers_run_without_torch_dynamo_and_compiling_still_loads_it():
    # every optimizer step imports torch._dynamo for a graph_break that does nothing outside a compiled
    # region (~38 MB, ~0.75 s per process); seam.defer_dynamo leaves a stand-in that loads the real
    # module only when something asks it for more
    code = ("import sys, torch\nfrom autograder import seam\nseam.defer_dynamo()\n"
            "m = torch.nn.Linear(3, 2)\n"
            "for cls in (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW):\n"
            "    opt = cls(m.parameters(), lr=0.1)\n"
            "    sched = torch.optim.lr_scheduler.StepLR(opt, 1)\n"
            "    before = m.weight.detach().clone()\n"
            "    opt.zero_grad(); m(torch.ones(4, 3)).sum().backward(); opt.step(); sched.step()\n"
            "    assert not torch.equal(before, m.weight), cls\n"
            "    opt.load_state_dict(opt.state_dict())\n"
            "print(type(sys.modules['torch._dynamo']).__name__)\n"
            "f = torch.compile(lambda x: 2 * x + 1, backend='eager')\n"
            "assert f(torch.ones(2)).tolist() == [3.0, 3.0]\n"
            "import torch._dynamo.eval_frame\n"
            "print(type(sys.modules['torch._dynamo']).__name__, torch._dynamo is sys.modules['torch._dynamo'])\n")
    assert _python(code).split("\n")[:2] == ["_DynamoStandIn", "module True"]


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "spawned"])
def test_a_worker_trains_without_importing_torch_dynamo(tmp_path, forked):
    # in a fresh grader process, as in a grading run (this one may have imported torch._dynamo already)
    (tmp_path / "m.py").write_text(
        "import sys, torch\n\ndef train():\n    m = torch.nn.Linear(2, 1)\n"
        "    opt = torch.optim.Adam(m.parameters(), lr=0.1)\n"
        "    for _ in range(3):\n        opt.zero_grad()\n        m(torch.ones(3, 2)).pow(2).sum().backward()\n"
        "        opt.step()\n"
        "    return type(sys.modules.get('torch._dynamo')).__name__\n")
    code = ("import sys\nfrom pathlib import Path\nfrom autograder import seam\n"
            f"assert seam.start_fork_server(preload='torch') is {forked}\n"
            f"ex = seam.WorkerExecutor(Path({str(tmp_path)!r}), preload='torch')\n"
            "try:\n    print(ex.module('m').train())\nfinally:\n    ex.close()\n    seam.stop_fork_server()\n")
    env = dict(os.environ, PYTHONHASHSEED="0", AUTOGRADER_FORKSERVER="1" if forked else "0")
    assert _python(code, env).strip() == "_DynamoStandIn"


def test_grading_processes_hand_large_freed_blocks_back_to_the_system():
    # gradescope.MALLOC_ENV: without it, glibc serves blocks below the largest one freed so far from its
    # heap, and keeps them there once freed
    from autograder import gradescope

    code = ("import ctypes\nlibc = ctypes.CDLL(None)\nlibc.malloc.restype = ctypes.c_void_p\n"
            "libc.free.argtypes = [ctypes.c_void_p]\n"
            "libc.free(libc.malloc(8 << 20))\n"
            "blocks = [libc.malloc(1 << 20) for _ in range(24)]\n"
            "pin = libc.malloc(200 << 10)   # above them: the freed blocks are not the heap's top, to be trimmed\n"
            "for b in blocks:\n    ctypes.memset(b, 1, 1 << 20)\n"
            "for b in blocks:\n    libc.free(b)\n"
            "heap = 0\nname = None\n"
            "for line in open('/proc/self/smaps'):\n"
            "    parts = line.split()\n"
            "    if '-' in parts[0] and len(parts) >= 5:\n        name = parts[5] if len(parts) > 5 else ''\n"
            "    elif parts[0] == 'Rss:' and name == '[heap]':\n        heap += int(parts[1])\n"
            "print(heap // 1024)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    heap = {label: int(_python(code, {**env, **extra}, timeout=60))
            for label, extra in (("default", {}), ("grading", gradescope.MALLOC_ENV))}
    assert heap["default"] >= 20 and heap["grading"] < 8, heap


def test_check_init_accepts_centred_initialisations_and_rejects_one_sided_ones():
    torch.manual_seed(0)
    H, b = 16, 1 / 16 ** 0.5
    ortho, xavier = torch.empty(4 * H, H), torch.empty(4 * H, 3)
    torch.nn.init.orthogonal_(ortho)
    torch.nn.init.xavier_uniform_(xavier)
    fine = {"W_hh": torch.empty(H, H).uniform_(-b, b), "b_h": torch.zeros(H), "ortho": ortho, "xavier": xavier,
            "small": torch.full((16,), 0.1)}   # under 32 entries: too few to judge a mean
    checks.check_init(fine, H, "init")
    for name, value in {"W_hh": torch.empty(H, H).uniform_(0, b), "b_h": torch.full((4 * H,), b),
                        "shifted": torch.empty(4 * H).uniform_(-b / 4, b)}.items():
        with pytest.raises(checks.Mismatch, match=f"entries of {name} average .* not centred on zero"):
            checks.check_init({name: value}, H, "init")


def test_the_waiter_reports_the_exit_code_and_kills_the_whole_group_at_the_deadline(tmp_path):
    # autograder.waiter: what `python -m autograder run` hands its waiting over to
    import time

    from autograder import waiter

    done = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"], start_new_session=True)
    assert waiter.wait(done.pid, time.monotonic() + 60) == (3, False)
    marker = tmp_path / "grandchild"
    # the child leaves a grandchild in its process group, then both sleep past the deadline
    slow = subprocess.Popen(["sh", "-c", f"sleep 60 & echo $! > {marker}; wait"], start_new_session=True)
    while not marker.is_file() or not marker.read_text().strip():
        time.sleep(0.01)
    grandchild = int(marker.read_text())
    assert waiter.wait(slow.pid, time.monotonic() + 0.5) == (-9, True)
    for _ in range(500):   # killed with the group; reaped by init, which may take a moment
        try:
            os.kill(grandchild, 0)
            state = open(f"/proc/{grandchild}/stat").read().rsplit(")", 1)[1].split()[0]
        except (ProcessLookupError, FileNotFoundError):
            break
        if state == "Z":
            break
        time.sleep(0.01)
    else:
        raise AssertionError("the grandchild outlived the deadline")


def test_hypothesis_finds_the_same_local_constants_with_the_tail_scan(tmp_path):
    # seam._tail_scan replaces hypothesis's listing of all of sys.modules; it must find the same modules,
    # also when one is removed and two are added between two looks
    for name, (number, text) in {"tail_a": (918273, "alpha-marker"), "tail_b": (564738, "beta-marker"),
                                 "tail_c": (192837, "gamma-marker"), "tail_d": (748392, "delta-marker")}.items():
        (tmp_path / f"{name}.py").write_text(f"def f(x):\n    return x == {number} or x == {text!r}\n")
    steps = ("import tail_a; look()\n"
             "import tail_b; del sys.modules['tail_a']; import tail_c; look()\n"   # grew by 1, two new
             "del sys.modules['tail_b']; look()\n"                                  # shrank
             "import tail_d; look()\n")
    found = {}
    for scan in ("tail", "hypothesis"):
        code = (f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
                "from autograder import seam\nfrom hypothesis.internal.conjecture import providers\n"
                "own = providers._get_local_constants\nseam._scan_for_hypothesis()\n"
                "assert providers._get_local_constants is not own\n"
                f"if {scan!r} == 'hypothesis':\n    providers._get_local_constants = own\n"
                "seen = []\n"
                "def look():\n    c = providers._get_local_constants()\n"
                "    seen.append(sorted(repr(v) for field in ('integers', 'strings') for v in getattr(c, field)\n"
                "                       if 'marker' in repr(v) or repr(v).isdigit() and len(repr(v)) == 6))\n"
                + steps + "print(seen)\n")
        found[scan] = _python(code, dict(os.environ, PYTHONHASHSEED="0"))
    assert found["tail"] == found["hypothesis"], found
    assert "delta-marker" in found["tail"] and "gamma-marker" in found["tail"], found
