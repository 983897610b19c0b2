"""The attack catalog: small malicious submissions graded the way Gradescope grades them.

Most attacks are the honest solution of one exercise (conv_arithmetic unless ``exercise`` says
otherwise) plus a malicious part; some replace it, upload links or special files, or add an honest
second exercise that must keep its points. Each runs through ``run_autograder`` (as root this means
the sandboxed worker; see autograder/sandbox.py). Every attack must leave a valid results.json,
finish well inside the budget, and score no more than the honest part of its submission (or than
its ``baseline``); most also check that the attack had no effect, or that it failed with a message
that names it. ``python -m selftests.attacks_table`` prints the table of what each attack got.
"""
from __future__ import annotations

import json
import math
import os
import resource
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from autograder import manifest, sandbox, seam

from .conftest import ROOT, run_autograder, solution_source

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
    exercise: str = EXERCISE                      # the module the source is (appended to its solution)
    exercises: str = ""                           # AUTOGRADER_EXERCISES (default: the exercise alone)
    env: dict[str, str] = field(default_factory=dict)
    setup: Callable[[Path, Path], None] | None = None   # (submission folder, root) -> extra set-up
    baseline: str | None = None                   # a source whose own score bounds this one's


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


class _Solutions(dict):
    def __missing__(self, exercise: str) -> str:
        self[exercise] = solution_source(exercise)
        return self[exercise]


SOLUTIONS = _Solutions()
HIDDEN_MARKER = "def test_"          # every hidden test module holds it; no student-visible output may
METADATA_MARKER = "metadata-marker-5a1c"


def exercise_tests(doc: dict, exercise: str) -> list[dict]:
    return [t for t in doc["tests"] if t["name"].startswith(f"{exercise}:")]


def exercise_score(doc: dict, exercise: str) -> float:
    return sum(t["score"] for t in exercise_tests(doc, exercise))


def _link(name: str, target: str):
    def setup(folder: Path, root: Path) -> None:
        os.symlink(target.format(source=str(ROOT), root=str(root)), folder / name)
    return setup


def _links(pairs: dict[str, str], metadata: bool = False):
    def setup(folder: Path, root: Path) -> None:
        if metadata:
            (root / "submission_metadata.json").write_text(json.dumps({"secret": METADATA_MARKER}))
        for name, target in pairs.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target.format(source=str(ROOT), root=str(root)), folder / name)
    return setup


def _zip_with_link(folder: Path, root: Path) -> None:
    """A zip whose exercise entry is a symbolic link (zip keeps the link's mode in external_attr)."""
    import stat
    import zipfile

    info = zipfile.ZipInfo("exercises/conv_arithmetic.py")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(folder / "student.zip", "w") as zf:
        zf.writestr(info, str(ROOT / "solutions" / "conv_arithmetic.py"))


def check_link_refused(doc, ctx):
    text = _all_outputs(doc)
    assert "symbolic link" in text and "upload the file itself" in text, doc["output"][:500]
    check_secrets_not_shown(doc, ctx)


def check_nothing_leaked(doc, ctx):
    text = _all_outputs(doc)
    assert HIDDEN_MARKER not in text, "a hidden test's text reached the student"
    assert METADATA_MARKER not in text, "submission_metadata.json reached the student"
    assert "AUTOGRADER_RUN_ID" not in text and "PATH=" not in text, "the grader's environment reached the student"
    assert "symbolic link" in text
    check_secrets_not_shown(doc, ctx)


def check_rule_names_op(*ops: str):
    def check(doc, ctx):
        rules = [t for t in doc["tests"] if "rule" in t["name"].lower()]
        assert rules, [t["name"] for t in doc["tests"]]
        for t in rules:
            assert t["score"] == 0, (t["name"], t["output"][:300])
            assert "Rule broken" in t["output"] and any(op in t["output"] for op in ops), (t["name"], t["output"][:400])
    return check


def check_exercise_zero(exercise: str):
    def check(doc, ctx):
        assert exercise_score(doc, exercise) == 0, [(t["name"], t["score"]) for t in exercise_tests(doc, exercise)
                                                    if t["score"]]
    return check


def check_other_keeps(exercise: str, also=None):
    """The honest exercise graded after the attack keeps every point (it is the last in the run)."""
    def check(doc, ctx):
        mine = exercise_tests(doc, exercise)
        assert mine and all(t["score"] == t["max_score"] for t in mine), \
            [(t["name"], t["output"][:200]) for t in mine if t["score"] < t["max_score"]][:3]
        if also:
            also(doc, ctx)
    return check


def _mentions(*fragments: str):
    def check(doc, ctx):
        text = _all_outputs(doc)
        assert any(f in text for f in fragments), (fragments, text[:1500])
    return check


# Searches its own process for text that only the grader's secrets hold: a hidden test's docstring and a
# string of the reference solution's answer (each needle in two halves, so that the search itself never
# holds one whole). Looks in every object the collector tracks, every module's globals and, after making
# itself dumpable again, every readable mapping of /proc/self/mem.
SECRET_SCAN = """
import ctypes as _ct, gc as _gc, sys as _sys
_NEEDLES = [("Hidden tests for conv_arith", "metic: wider settings, the reference"),
            (" inputs does not ", "fit in ")]


def _hits(blob, a, b):
    i = blob.find(a)
    while i >= 0:
        if blob[i + len(a):i + len(a) + len(b)] == b:
            return True
        i = blob.find(a, i + 1)
    return False


def _scan():
    found = set()
    for a, b in _NEEDLES:
        for obj in _gc.get_objects():
            values = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
            if any(isinstance(v, str) and _hits(v, a, b) for v in values):
                found.add("object:" + a)
        for mod in list(_sys.modules.values()):
            if any(isinstance(v, str) and _hits(v, a, b) for v in list(vars(mod).values())):
                found.add("globals:" + a)
    try:
        _ct.CDLL(None).prctl(4, 1, 0, 0, 0)   # PR_SET_DUMPABLE: read its own memory even after the user switch
        maps = open("/proc/self/maps").read().splitlines()
        mem = open("/proc/self/mem", "rb", 0)
    except OSError as exc:
        return sorted(found) + ["mem unreadable: " + type(exc).__name__]
    scanned = 0
    with mem:
        for line in maps:
            fields = line.split()
            if fields[1][0] != "r" or line.endswith(("[vvar]", "[vsyscall]", "[vvar_vclock]")):
                continue
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            pos = lo
            while pos < hi:
                size = min(hi - pos, 1 << 24)
                try:
                    mem.seek(pos)
                    blob = mem.read(size + 128)
                except (OSError, ValueError, OverflowError):
                    break
                scanned += len(blob)
                for a, b in _NEEDLES:
                    if _hits(blob, a.encode(), b.encode()):
                        found.add("mem:" + a)
                pos += size
    return sorted(found) + ["scanned %d MB" % (scanned >> 20)]


def _report():
    line = "SECRET-SCAN %s" % _scan()
    print(line)
    import os
    if os.environ.get("SECRET_SCAN_OUT"):   # the in-process control (pytest captures its prints)
        with open(os.environ["SECRET_SCAN_OUT"], "a") as out:
            out.write(line + "\\n")


_report()


def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    _report()
    return 0


def conv2d_output_shape(*args, **kwargs):   # the hidden tests call it after loading the reference
    _report()
    return (1, 1, 1)
"""


def check_no_secret_in_memory(doc, ctx):
    lines = [line for line in _all_outputs(doc).splitlines() if line.startswith("SECRET-SCAN")]
    assert lines, "the scan did not run"
    for line in lines:
        assert "object:" not in line and "globals:" not in line and "mem:" not in line, line
        assert "scanned" in line and "scanned 0 MB" not in line, line


def _all(*checks):
    def check(doc, ctx):
        for c in checks:
            c(doc, ctx)
    return check


def check_protocol_violation_bounded(doc, ctx):
    _mentions("protocol violation")(doc, ctx)
    # the grading processes' peak memory (max over this process's reaped descendants) stays bounded
    assert ctx["children_peak_kb"] < 1_500_000, ctx["children_peak_kb"]


def _unreadable_sympy(folder: Path, root: Path) -> None:
    import sympy

    path = Path(sympy.__file__).parent
    os.chmod(path, 0o700)
    _RESTORE.append(path)


_RESTORE: list[Path] = []


def check_environment_broken(doc, ctx):
    assert any(t["name"] == "Autograder failed" for t in doc["tests"]), [t["name"] for t in doc["tests"]][:5]
    assert "grading environment is broken" in doc["output"], doc["output"][:300]
    assert "could not be imported" not in _all_outputs(doc)


ZERO_CONV = """
class Conv2d(Conv2d):
    def forward(self, x):
        return torch.zeros(x.shape[0], self.out_channels, 1, 1)
class FasterConv2d(Conv2d):
    pass
"""

NAN_FAKER = """
import numpy as _np, sympy as _sp, torch as _t
def _nan(*args, **kwargs):
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, _t.Tensor):
            return _t.full(a.shape, float("nan"), dtype=a.dtype if a.is_floating_point() else _t.float64)
        if isinstance(a, _np.ndarray):
            return _np.full(a.shape, _np.nan)
    return _sp.nan
def __getattr__(name):
    return _nan
"""

SLEEPY = """
import time as _time
def _sleepy(f):
    def wrapped(*args, **kwargs):
        _time.sleep(2.5)
        return f(*args, **kwargs)
    return wrapped
for _name, _value in list(globals().items()):
    if callable(_value) and getattr(_value, "__module__", None) == __name__ and not _name.startswith("_"):
        globals()[_name] = _sleepy(_value)
"""

FORGE_REPLIES = """
import os, json, struct
def _forge():
    for fd in range(3, 1024):
        try:
            if not os.path.exists(f"/proc/self/fd/{{fd}}") or "pipe" not in os.readlink(f"/proc/self/fd/{{fd}}"):
                continue
            for seq in range(1, 6):
                body = json.dumps({{"id": seq, "ok": 12345}}).encode()
                os.write(fd, struct.pack(">Q", len(body)) + body)
        except OSError:
            pass
_forge()
"""

HUGE_REPLY = """
import os, struct
def fc_param_count(input_shape, n_outputs, bias=True):
    body = b"[" + b"[]," * (20 * 2**20) + b"[]]"
    for fd in range(3, 1024):
        try:
            if "pipe" in os.readlink(f"/proc/self/fd/{{fd}}"):
                os.write(fd, struct.pack(">Q", len(body)) + body)
        except OSError:
            pass
    return 12345
"""

ATTACKS += [
    Attack("searches its own memory (gc objects, module globals, /proc/self/mem) for text only the hidden tests "
           "and the solutions hold", SECRET_SCAN, replace=True, bound=0, check=check_no_secret_in_memory),
    Attack("uploads a symbolic link to the reference solution", "", replace=True, bound=0,
           setup=_link("conv_arithmetic.py", "{source}/solutions/conv_arithmetic.py"), check=check_link_refused),
    Attack("uploads exercises/ with a symbolic link (GitHub style)", "", replace=True, bound=0,
           setup=_links({"exercises/conv_arithmetic.py": "{source}/solutions/conv_arithmetic.py"}),
           check=check_link_refused),
    Attack("uploads a zip holding a symbolic link", "", replace=True, bound=0, setup=_zip_with_link,
           check=check_link_refused),
    Attack("links a hidden test, the metadata and /proc/self/environ, and prints them from another exercise", """
import glob, os
for _p in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "*.py"))):
    if not _p.endswith("conv_arithmetic.py"):
        try:
            print(open(_p, errors="replace").read()[:3000])
        except OSError as _e:
            print("could not read", _p, type(_e).__name__)
""", exercises="conv_arithmetic,kernels,pooling,cam",
           setup=_links({"pooling.py": "{source}/tests/hidden/test_pooling_hidden.py",
                         "kernels.py": "/proc/self/environ", "cam.py": "{root}/submission_metadata.json"},
                        metadata=True), check=check_nothing_leaked),
    Attack("conv2d: F.conv2d saved at import under a name built at run time", """
_conv = getattr(F, "".join(reversed("d2vnoc")))
class Conv2d(Conv2d):
    def forward(self, x):
        return _conv(x, self.weight, self.bias, self.stride, self.padding)
class FasterConv2d(Conv2d):
    pass
""", exercise="conv2d", bound=23, check=check_rule_names_op("convolution")),
    Attack("pooling: getattr(torch, 'max_' + 'pool2d') and friends", """
import torch as _t
_mp = getattr(_t.nn.functional, "".join(["max_", "pool", "2d"]))
def max_pool(x, kernel_size, stride=None, padding=0):
    return _mp(x, kernel_size, stride, padding)
""", exercise="pooling", bound=20, check=check_rule_names_op("max_pool2d")),
    Attack("multihead: getattr(F, 'scaled_dot_product' + '_attention')", """
import torch.nn.functional as _F
_sdpa = getattr(_F, "scaled_dot_product" + "_attention")
class ScaledDotProductAttention(ScaledDotProductAttention):
    def forward(self, q, k, v, mask=None):
        return _sdpa(q, k, v, attn_mask=mask, dropout_p=self.dropout.p if self.training else 0.0)
""", exercise="multihead", bound=26, check=check_rule_names_op("scaled_dot_product_attention")),
    Attack("softmax: torch.softmax saved at import", """
_sm = getattr(torch, "".join(reversed("xamtfos")))
def softmax_T(z, T):
    return _sm(z / T, dim=-1)
""", exercise="softmax", bound=20, check=check_rule_names_op("softmax")),
    Attack("kernels: F.conv2d saved at import for apply_kernel", """
import torch as _t
_conv = vars(_t.nn.functional)["con" "v2d".strip()]
def apply_kernel(image, kernel):
    x = _t.as_tensor(np.asarray(image, dtype=np.float64))[None, None]
    w = _t.as_tensor(np.asarray(kernel, dtype=np.float64))[None, None]
    return _conv(x, w)[0, 0].numpy()
""", exercise="kernels", bound=13, check=check_rule_names_op("convolution", "conv2d")),
    Attack("rebinds the grader's probes (run_layer, call_forbidding) in the worker", """
import sys, importlib
_support = importlib.import_module("tests.public.conv2d_support")
_rules = importlib.import_module("autograder.rules")
_honest_run_layer = _support.run_layer
def _run_layer(layer, weight, bias, x, grad_out=None):
    ref = torch.nn.Conv2d(weight.shape[1], weight.shape[0], weight.shape[2:], layer.stride, layer.padding,
                          bias=bias is not None)
    return _honest_run_layer(ref, weight, bias, x, grad_out)
_support.run_layer = _run_layer
_rules.call_forbidding = lambda forbidden, target, method, *a, **k: {{"value": None, "functions": [], "ops": [],
                                                                     "canary": [True, True]}}
""" + ZERO_CONV, exercise="conv2d", bound=23, baseline=ZERO_CONV),
    *[Attack(f"{ex}: NaN answers of the right shape", NAN_FAKER, exercise=ex, replace=True, bound=0)
      for ex in ("softmax", "transposed_conv", "gradients", "positional")],
    Attack("every call sleeps just under the call time limit; the exercise after it keeps its points", SLEEPY,
           exercises="conv_arithmetic,kernels", extra_files={"kernels.py": SOLUTIONS["kernels"]},
           env={"AUTOGRADER_CALL_TIMEOUT": "3", "AUTOGRADER_BUDGET": "100"},
           check=check_other_keeps("kernels", _mentions("used up its share"))),
    Attack("sends a reply of 60 MB of empty lists on the worker's pipe", HUGE_REPLY, bound=FULL - 2,
           check=_all(check_fc_test_fails, check_protocol_violation_bounded)),
    Attack("forges replies on the worker's pipe at import", FORGE_REPLIES, bound=FULL,
           check=_mentions("protocol violation", "did not answer the request")),
    Attack("the worker cannot import its libraries (sympy unreadable)", "", needs_sandbox=True, bound=0,
           setup=_unreadable_sympy, check=check_environment_broken),
    Attack("positional: a Sum to d * 10**9; the exercise after it keeps its points", """
def answer_full_dot():
    return sympy.Sum(sympy.cos((p - q) / sympy.Integer(10000) ** (2 * k / d)), (k, 0, d * 10**9))
""", exercise="positional", exercises="positional,image_attention",
           extra_files={"image_attention.py": SOLUTIONS["image_attention"]},
           check=check_other_keeps("image_attention", _mentions("terms here"))),
    Attack("image_attention: 7**(10**9) unevaluated in a sympy answer; the exercise after it keeps its points", """
def answer_num_parameters():
    C_in, C_out = sympy.symbols("C_in C_out", positive=True, integer=True)
    return sympy.Mul(sympy.Pow(7, 10**9, evaluate=False), C_in, evaluate=False)
""", exercise="image_attention", exercises="image_attention,attention_maps",
           extra_files={"attention_maps.py": SOLUTIONS["attention_maps"]},
           check=check_other_keeps("attention_maps", _mentions("does not build it"))),
    Attack("transposed_conv: matrix entries that each take the full equivalence time-out; the exercise after it "
           "keeps its points", """
_w0, _w1, _w2 = sympy.symbols("w0 w1 w2", real=True)
_slow = sum((_w0 + i * _w1 + _w2) ** 7 / (_w1 - i * _w2 + 1) ** 5 for i in range(1, 9))
_matrix, _output = answer_conv_matrix(), answer_transposed_output()
def answer_conv_matrix():
    return _matrix.applyfunc(lambda x: x + _slow)
def answer_transposed_output():
    return _output.applyfunc(lambda x: x + _slow)
""", exercise="transposed_conv", exercises="transposed_conv,cam", extra_files={"cam.py": SOLUTIONS["cam"]},
           env={"AUTOGRADER_BUDGET": "150"}, check=check_other_keeps("cam")),
    Attack("a Float of precision 10**10 through a patched encoder; the exercise after it keeps its points", """
import autograder.wire as _wire
_plain = _wire._sympy_node
def _huge(expr):
    if isinstance(expr, sympy.Float) or expr.is_Number:
        return ["Float", "1.5", 10**10]
    return _plain(expr)
_wire._sympy_node = _huge
""", exercise="image_attention", exercises="image_attention,attention_maps",
           extra_files={"attention_maps.py": SOLUTIONS["attention_maps"]},
           check=check_other_keeps("attention_maps", _mentions("precision"))),
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
        env = {"AUTOGRADER_EXERCISES": attack.exercises or attack.exercise, **attack.env}
        assignment = ["--assignment", manifest.assignment_of(attack.exercise, ROOT).name]
        baseline = None
        if attack.baseline is not None:
            base_root = tmp_path / "baseline"
            (base_root / "submission").mkdir(parents=True)
            (base_root / "submission" / f"{attack.exercise}.py").write_text(
                SOLUTIONS[attack.exercise].rstrip() + "\n\n" + attack.baseline)
            baseline = run_autograder(base_root, env=env, args=assignment)
        (tmp_path / "submission").mkdir(parents=True)
        body = source if attack.replace else SOLUTIONS[attack.exercise].rstrip() + "\n\n" + source
        if body:
            (tmp_path / "submission" / f"{attack.exercise}.py").write_text(body)
        for name, text in attack.extra_files.items():
            (tmp_path / "submission" / name).write_text(text)
        if attack.setup is not None:
            attack.setup(tmp_path / "submission", tmp_path)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        began = time.monotonic()
        doc = run_autograder(tmp_path, env=env, args=assignment)
        seconds = time.monotonic() - began
    finally:
        server.close()
        for path in _RESTORE:   # what a set-up made unreadable
            os.chmod(path, 0o755)
        _RESTORE.clear()
    return doc, {"snapshots": snapshots, "connections": connections, "seconds": seconds, "baseline": baseline,
                 "children_before_kb": children_before,
                 "children_peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_is_contained(tmp_path, attack):
    if attack.needs_sandbox and not SANDBOXED:
        pytest.fail("this attack is only contained by the sandbox: run the self-tests as root after setup.sh")
    doc, ctx = run_attack(attack, tmp_path)
    assert doc["tests"] and doc["score"] <= attack.bound + 1e-9, doc["score"]
    if ctx["baseline"] is not None:
        assert doc["score"] <= ctx["baseline"]["score"] + 1e-9, (doc["score"], ctx["baseline"]["score"])
    if attack.check:
        attack.check(doc, ctx)
    for path, before in ctx["snapshots"].items():   # the grader's own files are as they were
        assert path.read_bytes() == before, f"{path} was changed"


def test_the_secret_scan_finds_the_secrets_where_they_are(tmp_path):
    """The control for the memory-scan attack: run in the grader's own process (in-process grading, as on a
    laptop), the same scan finds the hidden test's and the solution's text, so the attack's clean result
    under run_autograder means the worker does not hold them, not that the scan is blind."""
    from .conftest import grade, write_submission

    out = tmp_path / "scan.txt"
    grade(write_submission(tmp_path, SECRET_SCAN), tmp_path, exercise="conv_arithmetic",
          env={"SECRET_SCAN_OUT": str(out)})
    lines = out.read_text()
    assert "mem:Hidden tests for conv_arith" in lines and "mem: inputs does not " in lines, lines[:2000]
