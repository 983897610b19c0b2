"""The attack catalog: small malicious submissions graded the way Gradescope grades them.

Each attack is the honest conv_arithmetic solution plus a malicious part, run through
``run_autograder`` (as root this means the sandboxed worker; see autograder/sandbox.py).
Every attack must leave a valid results.json, finish well inside the budget, and score no
more than the honest part of its submission; most also check that the attack had no effect.
``python -m selftests.attacks_table`` prints the table of what each attack got.
"""
from __future__ import annotations

import json
import math
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from autograder import sandbox, seam

from .conftest import ROOT, SOLUTION, run_autograder

# Runs that use the sandbox user run one at a time (see the lock in conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

EXERCISE = "conv_arithmetic"
FULL = 40.0
SANDBOXED = sandbox.available()   # root with the sandbox user: the Gradescope setting


@dataclass
class Attack:
    name: str
    source: str                                   # appended to the honest solution (or replaces it)
    bound: float = FULL                           # the most the submission may score
    check: Callable[[dict, dict], None] | None = None   # (results, context) -> assertions
    replace: bool = False                         # the source replaces the solution instead
    extra_files: dict[str, str] = field(default_factory=dict)
    needs_sandbox: bool = False                   # only meaningful as root with the sandbox user


def scores(doc: dict, fragment: str) -> list[float]:
    return [t["score"] for t in doc["tests"] if fragment in t["name"]]


def _all_outputs(doc: dict) -> str:
    return doc.get("output", "") + "\n".join(t.get("output", "") for t in doc["tests"])


def check_results_not_forged(doc, ctx):
    assert all(t["name"] != "forged" for t in doc["tests"])


def check_no_sandbox_processes(doc, ctx):
    if SANDBOXED:
        uid, _ = sandbox.user_ids()
        for _ in range(20):   # SIGKILL is delivered asynchronously (up to 5 s on a busy machine)
            if not sandbox.processes_of(uid):
                break
            time.sleep(0.25)
        assert sandbox.processes_of(uid) == [], [_describe(pid) for pid in sandbox.processes_of(uid)]


def _describe(pid: int) -> str:
    """A leftover process, for the failure message: state, command line, the run it belongs to."""
    proc = Path(f"/proc/{pid}")
    try:
        state = next(line for line in (proc / "status").read_text().splitlines() if line.startswith("State"))
        cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
        run = [e for e in (proc / "environ").read_bytes().split(b"\0") if e.startswith(b"AUTOGRADER_RUN_ID")]
        return f"{pid}: {state}; {cmd!r}; {run}"
    except (OSError, StopIteration):
        return f"{pid}: gone"


def check_secrets_not_shown(doc, ctx):
    text = _all_outputs(doc)
    assert "BEGIN SOLUTION" not in text and "after_due_date" not in text and '"misconceptions"' not in text


def check_tests_untouched(doc, ctx):
    for path, before in ctx["snapshots"].items():
        assert path.read_bytes() == before, f"{path} was changed"


def check_no_connection(doc, ctx):
    assert ctx["connections"] == [], "the worker reached a socket the grader opened"


def check_fc_test_fails(doc, ctx):
    assert scores(doc, "fc_param_count") and max(scores(doc, "fc_param_count")) == 0


def check_output_truncated(doc, ctx):
    assert len(json.dumps(doc)) < 2_000_000


def check_import_loop_reported(doc, ctx):
    """A module whose import never ends fails every test with that reason (its import is tried once
    and remembered: see the seam's import-failure cache and its unit test)."""
    assert all("could not be imported" in t["output"] and "did not finish within" in t["output"]
               for t in doc["tests"]), [t["output"] for t in doc["tests"]][:3]


def check_loop_contained(doc, ctx):
    """An endless loop costs a bounded number of timed-out calls, not one per test: the strikes per
    function and the per-exercise budget of timed-out seconds stop the rest at once. (Counted, not
    timed, so a busy machine cannot fail it.)"""
    timed_out = sum("did not finish within" in t["output"] and "could not be imported" not in t["output"]
                    for t in doc["tests"])
    assert timed_out >= 1, [t["output"] for t in doc["tests"]][:5]
    assert timed_out <= math.ceil(seam.EXERCISE_TIMEOUTS / seam.CALL_TIMEOUT) + 1, timed_out
    assert timed_out < len(doc["tests"]) / 2


TRY_WRITE_RESULTS = '''
import json, os
for _p in ("/autograder/results/results.json", os.path.join({root!r}, "results", "results.json")):
    try:
        os.makedirs(os.path.dirname(_p), exist_ok=True)
        with open(_p, "w") as _f:
            json.dump({{"score": 1000, "tests": [{{"name": "forged", "score": 1000}}]}}, _f)
    except OSError:
        pass
'''

READ_SECRETS = '''
import glob, os
for _p in glob.glob(os.path.join({source!r}, "solutions", "*.py")) + glob.glob(os.path.join({source!r}, "tests", "hidden", "*.py")) \\
        + glob.glob(os.path.join({source!r}, "tests", "keys", "*.json")) + glob.glob("/autograder/source/solutions/*.py"):
    try:
        print(open(_p).read())
    except OSError as _e:
        print("could not read", type(_e).__name__)
'''

ATTACKS = [
    Attack("writes its own results.json", TRY_WRITE_RESULTS, check=check_results_not_forged),
    Attack("os._exit(0) at import", "import os\nos._exit(0)\n", bound=0),
    Attack("sys.exit at import", "import sys\nsys.exit(0)\n", bound=0),
    Attack("kills its parent and init", '''
import os, signal
def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    for pid in (os.getppid(), 1):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    span = dilation * (kernel_size - 1) + 1
    if length + 2 * padding < span:
        raise ValueError("window does not fit")
    return (length + 2 * padding - span) // stride + 1
''', needs_sandbox=True),
    Attack("forks many processes", '''
import os, time
_honest_fc = fc_param_count
def fc_param_count(input_shape, n_outputs, bias=True):
    for _ in range(2000):
        try:
            if os.fork() == 0:
                os.setsid()
                time.sleep(120)
                os._exit(0)
        except OSError:
            break
    return _honest_fc(input_shape, n_outputs, bias)
''', check=check_no_sandbox_processes),
    Attack("allocates until memory runs out", '''
def conv_param_count(*args, **kwargs):
    hog = []
    while True:
        hog.append(bytearray(64 * 2**20))
''', bound=FULL - 3),
    Attack("loops forever at import", "while True:\n    pass\n", bound=0, check=check_import_loop_reported),
    Attack("loops forever in a call", '''
def conv_output_length(*args, **kwargs):
    while True:
        pass
''', bound=FULL - 4, check=check_loop_contained),
    Attack("prints 100 MB", '''
import sys
_honest_fc = fc_param_count
def fc_param_count(input_shape, n_outputs, bias=True):
    chunk = "x" * 2**20 + "\\n"
    for _ in range(100):
        sys.stdout.write(chunk)
    return _honest_fc(input_shape, n_outputs, bias)
''', check=check_output_truncated),
    Attack("reads and prints the solutions, hidden tests and keys", READ_SECRETS, check=check_secrets_not_shown,
           needs_sandbox=True),
    Attack("monkeypatches torch.allclose, numpy.testing, math.isclose and the grader", '''
import math, sys, numpy, numpy.testing, torch
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.allclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
for _name in ("autograder.checks", "autograder.plugin", "autograder.seam"):
    _m = sys.modules.get(_name)
    if _m is not None:
        for _attr in ("assert_close", "fail", "check_keyed_answer"):
            if hasattr(_m, _attr):
                setattr(_m, _attr, lambda *a, **k: None)
def fc_param_count(input_shape, n_outputs, bias=True):
    return 12345
''', bound=FULL - 2, check=check_fc_test_fails),
    Attack("returns objects with a lying __eq__, __array__, __float__, __index__", '''
import numpy as np, torch
class Liar(int):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __array__(self, *a, **k): return np.asarray(7)
    def __float__(self): return 7.0
    def __index__(self): return 7
class LiarTensor(torch.Tensor):
    def __eq__(self, other): return torch.ones((), dtype=torch.bool)
class LiarArray(np.ndarray):
    def __eq__(self, other): return np.True_
def fc_param_count(input_shape, n_outputs, bias=True):
    return Liar(1)
def conv1d_output_shape(input_shape, out_channels, kernel_size, stride=1, padding=0, dilation=1):
    return torch.zeros(2).as_subclass(LiarTensor)
def conv2d_output_shape(*args, **kwargs):
    return np.zeros(3).view(LiarArray)
''', bound=FULL - 2 - 2 - 3 - 1, check=check_fc_test_fails),
    Attack("edits the test files and the manifest", '''
import glob, os
for _p in glob.glob(os.path.join({source!r}, "tests", "**", "*.py"), recursive=True) + \\
        [os.path.join({source!r}, "assignments.toml"), os.path.join({source!r}, "autograder", "checks.py")]:
    try:
        with open(_p, "a") as _f:
            _f.write("\\n# edited by a student\\n")
    except OSError:
        pass
''', check=check_tests_untouched, needs_sandbox=True),
    Attack("ignores the timeout signals", '''
import signal
for _s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):
    signal.signal(_s, signal.SIG_IGN)
def conv_output_length(*args, **kwargs):
    while True:
        pass
''', bound=FULL - 4, check=check_loop_contained),
    Attack("replaces sys.modules entries for torch and the grader", '''
import sys, types
import autograder.wire
_fake = types.ModuleType("torch")
sys.modules["torch"] = _fake
autograder.wire.encode = lambda value, *a, **k: {{"$t": "handle", "id": 1, "type": "int"}}
sys.modules["autograder.wire"] = types.ModuleType("autograder.wire")
def fc_param_count(input_shape, n_outputs, bias=True):
    return 12345
''', bound=FULL - 2, check=check_fc_test_fails),
    Attack("opens a network connection", '''
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).sendall(b"leak")
except OSError as _e:
    print("network refused:", type(_e).__name__)
''', check=check_no_connection, needs_sandbox=True),
    Attack("ships conftest.py, sitecustomize.py and a fake pytest beside its code",
           "", extra_files={"conftest.py": "import os\nos._exit(0)\n",
                            "sitecustomize.py": "import os\nos._exit(0)\n",
                            "pytest.py": "raise SystemExit(0)\n"}),
    Attack("sends back a huge value", '''
import numpy as np
def conv_param_count(*args, **kwargs):
    return np.zeros(120_000_000, dtype=np.float64)
''', bound=FULL - 3),
]


def _serve(connections: list) -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)

    def accept():
        while getattr(server, "_open", True):
            try:
                conn, _ = server.accept()
                connections.append(conn.recv(16))
                conn.close()
            except OSError:
                if server.fileno() < 0:
                    return
    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


def run_attack(attack: Attack, tmp_path: Path) -> tuple[dict, dict]:
    """Grade the attack's submission through run_autograder; returns (results, context for the checks)."""
    connections: list = []
    server, port = _serve(connections)
    snapshots = {p: p.read_bytes() for p in [*(ROOT / "tests").rglob("*.py"), ROOT / "assignments.toml",
                                             ROOT / "autograder" / "checks.py"]}
    try:
        source = attack.source.format(root=str(tmp_path), source=str(ROOT), port=port)
        (tmp_path / "submission").mkdir(parents=True)
        body = source if attack.replace else SOLUTION.rstrip() + "\n\n" + source
        (tmp_path / "submission" / f"{EXERCISE}.py").write_text(body)
        for name, text in attack.extra_files.items():
            (tmp_path / "submission" / name).write_text(text)
        began = time.monotonic()
        doc = run_autograder(tmp_path, env={"AUTOGRADER_EXERCISES": EXERCISE})
        seconds = time.monotonic() - began
    finally:
        server.close()
    return doc, {"snapshots": snapshots, "connections": connections, "seconds": seconds}


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_is_contained(tmp_path, attack):
    if attack.needs_sandbox and not SANDBOXED:
        pytest.fail("this attack is only contained by the sandbox: run the self-tests as root after setup.sh")
    doc, ctx = run_attack(attack, tmp_path)
    assert doc["tests"] and doc["score"] <= attack.bound + 1e-9, doc["score"]
    if attack.check:
        attack.check(doc, ctx)
    for path, before in ctx["snapshots"].items():   # the grader's own files are as they were
        assert path.read_bytes() == before, f"{path} was changed"
