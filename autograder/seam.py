"""The one seam between grading tests and student code.

Tests call ``submission("conv_arithmetic")`` (a pytest fixture) and get a
proxy for the student's module. Every call through the proxy runs student
code in an *executor* and brings the result back through :mod:`autograder.wire`
as plain data, so a test reads the same whether the executor is

* ``LocalExecutor``: in this process (a student's own ``pytest``), or
* ``WorkerExecutor``: in a separate worker process (the autograder), where
  this process never runs student code, a call past its time limit kills the
  worker and is reported as a timeout, and a fresh worker serves the next call.

Objects that are not plain data (a student's ``nn.Module``, say) stay where they
were made; the test holds a :class:`Handle` and calls back into it.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback as tb
import types
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import wire
from .errors import (BadValue, EnvironmentBroken, MissingName, NotImplementedYet, ProbeTampered, ProtocolViolation,
                     StudentCodeError, StudentTimeout, SubmissionImportError, WorkerCrashed)

CALL_TIMEOUT = float(os.environ.get("AUTOGRADER_CALL_TIMEOUT", "10"))     # seconds per call
TEST_BUDGET = float(os.environ.get("AUTOGRADER_TEST_BUDGET", "60"))       # student seconds per test
OUTPUT_LIMIT = 4000                                                       # printed chars kept per test
STARTUP_TIMEOUT = float(os.environ.get("AUTOGRADER_STARTUP_TIMEOUT", "120"))  # worker start, not student time
# A reply is bounded well below what the grader can afford to hold: its bytes, and (counted in the
# raw bytes before it is parsed) its lists and objects and its items. A reply past a bound is a
# protocol violation: the call fails, the worker is restarted, nothing is parsed.
MAX_MESSAGE = int(os.environ.get("AUTOGRADER_MAX_REPLY_MB", "64")) * 1024 * 1024
MAX_CONTAINERS = 200_000
MAX_ITEMS = 2_000_000
# Timeouts cost up to CALL_TIMEOUT each, so an endless loop must not eat the run's budget one
# test at a time: after FUNCTION_STRIKES timeouts of one function (or method) further calls to
# it fail at once, and once an exercise's timed-out calls add up to EXERCISE_TIMEOUTS seconds,
# all its remaining calls do (its other functions are graded until then).
FUNCTION_STRIKES = int(os.environ.get("AUTOGRADER_FUNCTION_STRIKES", "2"))
EXERCISE_TIMEOUTS = float(os.environ.get("AUTOGRADER_EXERCISE_TIMEOUTS", "60"))
_strikes: dict[tuple[str, str], int] = {}     # (exercise, function) -> timeouts
_timed_out: dict[str, float] = {}             # exercise -> seconds spent in calls that timed out


def seed_for(nodeid: str, base: int = 0) -> int:
    """The per-test seed: stable across runs and machines (crc32 of the test id)."""
    return (zlib.crc32(nodeid.encode()) + base) % (2**31)


@dataclass
class TestContext:
    """What the seam knows about the test that is running."""

    nodeid: str = "<no test>"
    seed: int = 0
    group: str = ""          # the exercise, for the timeout strikes
    calls: int = 0
    student_seconds: float = 0.0
    started: float = 0.0     # time.monotonic() when the test began (0: not a graded test)
    output: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # what the grader measured (see note)
    call_limit: float = 0.0  # > 0: a longer per-call limit granted by the test (see call_limit)
    call_doing: str = ""     # what that call does, for the time-out message

    def record_output(self, text: str) -> None:
        if not text:
            return
        used = sum(len(t) for t in self.output)
        if used < OUTPUT_LIMIT:
            self.output.append(text[: OUTPUT_LIMIT - used])
            if used + len(text) > OUTPUT_LIMIT:
                self.output.append("\n[... output truncated]")


current = TestContext()


# Each exercise's share of the run's wall-clock budget (seconds; 0 = none): every test of the
# exercise counts, with all its calls into student code, worker restarts and the grader's own checks
# (sympy equivalence, hint variants, diagnoses). Once it is used up, the exercise's remaining calls and
# checks fail at once, so a slow exercise can never starve the ones after it. The plugin sets it from
# AUTOGRADER_BUDGET (set by `python -m autograder run`) and the number of exercises.
EXERCISE_SECONDS = float(os.environ.get("AUTOGRADER_EXERCISE_SECONDS", "0"))
_exercise_wall: dict[str, float] = {}         # exercise -> wall seconds of its finished tests


def begin_test(nodeid: str, seed: int, group: str = "") -> TestContext:
    global current
    current = TestContext(nodeid=nodeid, seed=seed, group=group)
    current.started = time.monotonic()
    return current


def end_test() -> None:
    """The current test is over: its wall time joins its exercise's."""
    if current.group and current.started:
        _exercise_wall[current.group] = _exercise_wall.get(current.group, 0.0) + time.monotonic() - current.started
        current.started = 0.0


def exercise_seconds(group: str | None = None) -> float:
    group = current.group if group is None else group
    running = time.monotonic() - current.started if current.group == group and current.started else 0.0
    return _exercise_wall.get(group, 0.0) + running


def share_left(group: str | None = None) -> float:
    """Seconds left of the exercise's share (inf when there is no share)."""
    if EXERCISE_SECONDS <= 0 or not (current.group if group is None else group):
        return float("inf")
    return EXERCISE_SECONDS - exercise_seconds(group)


def check_share(doing: str = "its remaining tests are not run") -> None:
    """Raise when the current exercise has used up its share of the run's time."""
    if share_left() <= 0:
        raise StudentTimeout(f"not run: the {current.group} exercise used up its share of the grading time "
                             f"({EXERCISE_SECONDS:.0f}s, counting every call into your code and the grader's checks), "
                             f"so {doing}. Other exercises keep their own time (look for slow or endless loops).")


def _check_strikes(what: str) -> None:
    if not current.group:
        return
    used, seconds = _strikes.get((current.group, what), 0), _timed_out.get(current.group, 0.0)
    if used >= FUNCTION_STRIKES:
        raise StudentTimeout(f"not run: `{what}` already timed out {used:g} times in earlier tests, so it is not "
                             "called again (fix the slow or endless loop first; the first timeouts say where)")
    if seconds >= EXERCISE_TIMEOUTS:
        raise StudentTimeout(f"not run: your {current.group} code already spent {seconds:.0f}s in calls that timed "
                             "out, so its remaining tests are not run (fix the slow or endless loops first)")
    check_share()


def _strike(what: str, seconds: float) -> None:
    if current.group:
        _strikes[(current.group, what)] = _strikes.get((current.group, what), 0) + 1
        _timed_out[current.group] = _timed_out.get(current.group, 0.0) + seconds


def note(text: str) -> None:
    """A line the grader measured (an accuracy reached, a time taken), shown in the current test's
    output whether it passes or fails, under "The grader measured:"."""
    current.notes.append(str(text)[:500])


@contextlib.contextmanager
def call_limit(seconds: float, doing: str = "your training"):
    """Calls made inside the block may each run up to ``seconds`` (instead of CALL_TIMEOUT).

    For a test whose one call trains a model end to end. The test's budget (TEST_BUDGET) and the
    exercise's share still bound it. A call that runs out of the longer limit fails with a message
    that names the limit: "your training took more than N s; the limit is N s"."""
    old = current.call_limit, current.call_doing
    current.call_limit, current.call_doing = float(seconds), doing
    try:
        yield
    finally:
        current.call_limit, current.call_doing = old


def seed_everything(seed: int) -> None:
    """Seed random, numpy and torch (whichever are imported) in this process."""
    import random

    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed % 2**32)
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        if torch.cuda.is_initialized():
            torch.manual_seed(seed)
        else:  # CPU only (as grading is): torch.manual_seed formats three stack traces per call
            torch.default_generator.manual_seed(seed)
        if not torch.are_deterministic_algorithms_enabled():
            deterministic_algorithms(torch)


class _DynamoStandIn(types.ModuleType):
    """``torch._dynamo`` until something asks it for more than ``graph_break``: see :func:`defer_dynamo`."""

    def __getattr__(self, name: str):
        if name.startswith("__") and name not in ("__path__", "__all__"):
            raise AttributeError(name)
        return getattr(_load_dynamo(), name)


def _graph_break(msg: str = "") -> None:
    """torch._dynamo.graph_break outside a compiled region: nothing (as the real one, which only marks a
    place for the compiler)."""


def _load_dynamo():
    import importlib

    if isinstance(sys.modules.get("torch._dynamo"), _DynamoStandIn):
        del sys.modules["torch._dynamo"]
    return importlib.import_module("torch._dynamo")   # also sets torch._dynamo to the real module


def defer_dynamo() -> None:
    """Let torch.optim run without importing torch's compiler (``torch._dynamo``: ~38 MB and ~0.75 s).

    Every optimizer's ``step`` runs ``import torch._dynamo; torch._dynamo.graph_break()``, which only
    marks a place for the compiler and does nothing when nothing is being compiled, and each optimizer
    method decorated with ``torch._disable_dynamo`` looks ``torch._dynamo.disable`` up on its first call.
    A stand-in module takes torch._dynamo's place: its ``graph_break`` does nothing, and the functions
    behind torch's ``_disable_dynamo`` wrappers are marked as already wrapped (with themselves), which
    is what ``disable`` amounts to outside a compiled region. Any other name asked of the stand-in
    (``torch.compile`` asks for many) imports the real module, which replaces it from then on: code that
    compiles still gets the real compiler (the marked functions then run inside a compiled region as
    ordinary code, which only costs the compiler a graph break). A no-op if torch is not imported or
    torch._dynamo already is."""
    torch = sys.modules.get("torch")
    if torch is None or "torch._dynamo" in sys.modules:
        return
    import gc

    disable = getattr(sys.modules.get("torch._compile"), "_disable_dynamo", None)
    inner = getattr(disable(_graph_break), "__code__", None) if disable is not None else None   # its wrapper's code
    if inner is not None and inner.co_freevars[:1] == ("fn",):
        for obj in gc.get_objects():
            if type(obj) is types.FunctionType and obj.__code__ is inner and obj.__closure__:
                fn = obj.__closure__[0].cell_contents
                if callable(fn) and getattr(fn, "__dynamo_disable", None) is None:
                    try:
                        fn.__dynamo_disable = fn
                    except (AttributeError, TypeError):
                        pass
    stand_in = _DynamoStandIn("torch._dynamo", "torch's compiler, imported when first needed (autograder.seam)")
    stand_in.graph_break = _graph_break
    # what tools read of every module (hypothesis, pytest, inspect) must not load the real one
    stand_in.__file__ = os.path.join(os.path.dirname(torch.__file__), "_dynamo", "__init__.py")
    sys.modules["torch._dynamo"] = stand_in
    torch._dynamo = stand_in


def deterministic_algorithms(torch) -> None:
    """Same values every run; warn (not fail) on an op that has no deterministic version.

    ``torch.use_deterministic_algorithms`` also imports ``torch._inductor.config`` to set its
    flag: ~2 s and ~70 MB per process, for a compiler no exercise uses. Set the flag in C
    directly, and inductor's too if something has imported it already.
    """
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None:  # a torch without the private setter: pay for the public one
        torch.use_deterministic_algorithms(True, warn_only=True)
        return
    setter(True, warn_only=True)
    inductor = sys.modules.get("torch._inductor.config")
    if inductor is not None:
        inductor.deterministic = True


def pause_gc() -> None:
    """No cyclic garbage collection while the big imports run (torch, sympy, hypothesis, the
    test modules): each full collection re-scans every object imported so far, ~0.1 s apiece
    and ~0.5 s a grading run, and an import leaves almost no cyclic garbage. See freeze_heap."""
    import gc

    gc.disable()


def freeze_heap(once: bool = False) -> None:
    """After the imports: move every object alive now out of the collector's reach (it never
    becomes garbage), and collect again as usual; full collections then scan only what tests
    and student code make. ``once``: only if the collector is still paused."""
    import gc

    if once and gc.isenabled():
        return
    gc.freeze()
    gc.enable()


def call_seed() -> int:
    """Seed for the next student call: depends on the test and the call's index only."""
    current.calls += 1
    return (current.seed * 1_000_003 + current.calls) % (2**31)


# ---------------------------------------------------------------- handles
class Handle:
    """A student object that lives with the executor; call it or its methods."""

    __slots__ = ("_executor", "_id", "_generation", "_type")

    def __init__(self, executor: "Executor", hid: int, generation: int, type_name: str):
        object.__setattr__(self, "_executor", executor)
        object.__setattr__(self, "_id", hid)
        object.__setattr__(self, "_generation", generation)
        object.__setattr__(self, "_type", type_name)

    def __repr__(self) -> str:
        return f"<{self._type} object>"

    def __call__(self, *args, **kwargs):
        return self._executor.call(self, [], args, kwargs)

    def __getattr__(self, name: str) -> "BoundName":
        if name.startswith("__"):
            raise AttributeError(name)
        return BoundName(self, [name])

    def get_attr(self, dotted: str) -> Any:
        """The value of ``obj.<dotted>`` as plain data (or a handle)."""
        return self._executor.getattr(self, dotted.split("."))

    def set_attr(self, dotted: str, value: Any) -> None:
        self._executor.setattr(self, dotted.split("."), value)

    def __eq__(self, other):  # a handle equals only itself: never a plain value
        return other is self

    __hash__ = object.__hash__


class BoundName:
    """``handle.a.b``: call it to call that attribute."""

    def __init__(self, handle: Handle, path: list[str]):
        self._handle, self._path = handle, path

    def __getattr__(self, name: str) -> "BoundName":
        if name.startswith("__"):
            raise AttributeError(name)
        return BoundName(self._handle, self._path + [name])

    def __call__(self, *args, **kwargs):
        return self._handle._executor.call(self._handle, self._path, args, kwargs)

    def __repr__(self) -> str:
        return f"<{'.'.join(self._path)} of {self._handle!r}>"


class Module:
    """A student's module; attributes are functions to call (``mod.f(1, 2)``)."""

    def __init__(self, executor: "Executor", name: str):
        self._executor, self._name = executor, name

    def __repr__(self) -> str:
        return f"<submission module {self._name}>"

    def _handle(self) -> Handle:
        return self._executor.module_handle(self._name)

    def __getattr__(self, name: str) -> BoundName:
        if name.startswith("_"):
            raise AttributeError(name)
        return BoundName(_LazyModuleHandle(self), [name])

    def get_attr(self, dotted: str) -> Any:
        return self._executor.getattr(self._handle(), dotted.split("."))

    def has(self, name: str) -> bool:
        return self._executor.has(self._handle(), name)

    def run_probe(self, func, *args, **kwargs) -> Any:
        """``func(*args, **kwargs)`` run where the student code runs; see :meth:`Executor.probe`."""
        self._handle()  # import first, so an import error is reported as such
        return self._executor.probe(func, args, kwargs)

    def source(self) -> str | None:
        """The text of the student's file (read, never executed, by the grader), or None."""
        path = self._executor.submission_dir / f"{self._name}.py"
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None


class _LazyModuleHandle:
    """Resolves to the module's handle at call time (the worker may have been restarted)."""

    def __init__(self, module: Module):
        self._module = module

    @property
    def _executor(self):
        return self._module._executor

    def resolve(self) -> Handle:
        return self._module._handle()

    def __repr__(self) -> str:
        return repr(self._module)


# ---------------------------------------------------------------- executors
class Executor:
    """Runs student code. Subclasses differ only in where."""

    def __init__(self, submission_dir: Path, display_name: str | None = None):
        self.submission_dir = Path(submission_dir).resolve()
        self.display = display_name or self.submission_dir.name
        self._modules: dict[str, tuple[int, Handle]] = {}
        self._import_failures: dict[str, str] = {}
        self.generation = 0
        self._overhead = 0.0  # seconds of the current request spent starting a worker
        self._last_id = 0     # the newest handle id of this generation
        self._test_mark = 0   # the newest handle id when the current test began

    # -- public API used by Module/Handle
    def module(self, name: str) -> Module:
        return Module(self, name)

    def module_handle(self, name: str) -> Handle:
        cached = self._modules.get(name)
        self.ensure_alive()
        if cached and cached[0] == self.generation:
            return cached[1]
        if name in self._import_failures:  # a module whose import hung or killed its process stays failed
            raise SubmissionImportError(self._import_failures[name])
        try:
            reply = self._request({"op": "import", "module": name}, timeout=CALL_TIMEOUT,
                                  what=f"importing {name}")
        except (StudentTimeout, WorkerCrashed) as exc:
            self._import_failures[name] = f"{self.display}/{name}.py could not be imported: {exc}"
            raise SubmissionImportError(self._import_failures[name]) from None
        handle = self._decode_reply(reply, what=f"import {name}")
        if not isinstance(handle, Handle) or not handle._type.startswith("module"):
            self.close()
            raise SubmissionImportError(f"{self.display}/{name}.py could not be imported: the reply to the import "
                                        "was not a module (a protocol violation)")
        self._modules[name] = (self.generation, handle)
        return handle

    def call(self, target, path: list[str], args, kwargs) -> Any:
        handle = self._resolve(target)
        what = self._describe(handle, path)
        msg = {"op": "call", "target": handle._id, "path": path, "seed": call_seed(),
               "args": self._encode_args(list(args)), "kwargs": self._encode_args(dict(kwargs))}
        return self._timed(msg, what)

    def getattr(self, target, path: list[str]) -> Any:
        handle = self._resolve(target)
        return self._timed({"op": "getattr", "target": handle._id, "path": path, "seed": call_seed()},
                           self._describe(handle, path))

    def setattr(self, target, path: list[str], value) -> None:
        handle = self._resolve(target)
        self._timed({"op": "setattr", "target": handle._id, "path": path, "seed": call_seed(),
                     "value": self._encode_args(value)}, self._describe(handle, path))

    def probe(self, func, args, kwargs) -> Any:
        """Run the grader function ``func`` (public, in ``autograder.probes`` or ``tests.public``)
        next to the student code, with handles passed in as the student's objects."""
        spec = f"{func.__module__}:{func.__qualname__}"
        self.ensure_alive()
        msg = {"op": "probe", "func": spec, "seed": call_seed(),
               "args": self._encode_args(list(args)), "kwargs": self._encode_args(dict(kwargs))}
        return self._timed(msg, getattr(func, "describes", func.__name__))

    def has(self, target, name: str) -> bool:
        handle = self._resolve(target)
        return bool(self._timed({"op": "has", "target": handle._id, "name": name, "seed": call_seed()},
                                f"looking up {name}"))

    def close(self) -> None:
        pass

    def begin_test(self) -> None:
        self._test_mark = self._last_id

    def end_test(self) -> None:
        """Let the executor drop the objects the finished test was handed (a test's handles are
        never used by a later one): without this, every model and tensor of every test stays
        alive until the worker is recycled."""
        if self._last_id <= self._test_mark or not self.alive():
            return
        try:
            self._request({"op": "release", "after": self._test_mark}, timeout=CALL_TIMEOUT, what="cleaning up")
        except (StudentTimeout, WorkerCrashed):
            pass  # a worker that cannot clean up is replaced at the next call anyway
        self._test_mark = self._last_id

    def alive(self) -> bool:
        return True

    # -- helpers
    def ensure_alive(self) -> None:
        """Make sure there is something to run the next call in."""

    def _resolve(self, target) -> Handle:
        self.ensure_alive()
        handle = target.resolve() if isinstance(target, _LazyModuleHandle) else target
        if handle._generation != self.generation:
            raise WorkerCrashed(f"{handle!r} was lost when the worker running your code was restarted "
                                "(after an earlier timeout or crash in this test)")
        return handle

    def _describe(self, handle: Handle, path: list[str]) -> str:
        base = handle._type.removeprefix("module ")
        return ".".join([base, *path]) if path else base

    def _encode_args(self, value):
        def make_handle(obj):
            if isinstance(obj, Handle):
                self._resolve(obj)
                return {"$t": "handle", "id": obj._id}
            raise wire.WireError(f"the grader cannot pass a {type(obj).__name__} to student code")

        return wire.encode(value, make_handle)

    def _timed(self, msg: dict, what: str) -> Any:
        remaining = TEST_BUDGET - current.student_seconds
        if remaining <= 0:
            raise StudentTimeout(f"your code has used up this test's time budget of {TEST_BUDGET:g}s")
        _check_strikes(what)
        limit = current.call_limit or CALL_TIMEOUT
        timeout = max(min(limit, remaining, share_left()), 0.05)
        start = time.perf_counter()
        self._overhead = 0.0
        try:   # reading and decoding the reply count as the call's time too
            reply = self._request(msg, timeout=timeout, what=what)
            return self._decode_reply(reply, what=what)
        except StudentTimeout as exc:
            _strike(what, timeout)
            if current.call_limit and timeout >= current.call_limit:
                raise StudentTimeout(f"{current.call_doing} ({what}) took more than {timeout:g}s; the limit is "
                                     f"{current.call_limit:g}s on this machine. Only this test loses its points: "
                                     "look for work repeated per batch, or epochs and sizes other than the "
                                     "ones asked for.") from exc
            raise
        finally:
            current.student_seconds += time.perf_counter() - start - self._overhead

    def _decode_reply(self, reply: dict, what: str) -> Any:
        current.record_output(reply.get("output", ""))
        if "err" in reply:
            raise self._exception(reply["err"], what)

        def resolve(data: dict) -> Handle:
            hid = int(data["id"])
            self._last_id = max(self._last_id, hid)
            return Handle(self, hid, self.generation, str(data.get("type", "object"))[:200])

        try:
            return wire.decode(reply["ok"], resolve)
        except (wire.WireError, KeyError, TypeError, ValueError) as exc:
            raise BadValue(f"{what} returned a value the grader cannot read: {exc}") from None

    def _exception(self, err: dict, what: str) -> BaseException:
        kind = err.get("kind")
        text = str(err.get("message", ""))[:2000]
        if kind == "import":
            return SubmissionImportError(text)
        if kind == "missing":
            return MissingName(text)
        if kind == "encode":
            return BadValue(f"{what} returned {text}")
        if kind == "tampered":
            return ProbeTampered(f"{what}: not graded, because your code changed the grader's own code in the "
                                 f"process that runs it ({text}). Submissions must not modify the grader.")
        if err.get("type") == "NotImplementedError":
            return NotImplementedYet(f"`{what}` in {self.display}/ is not implemented yet "
                                     "(it raises NotImplementedError).")
        return StudentCodeError(str(err.get("type", "Exception"))[:200], text,
                                str(err.get("where", ""))[:500], str(err.get("traceback", ""))[:4000])

    def _request(self, msg: dict, timeout: float, what: str) -> dict:
        raise NotImplementedError


class LocalExecutor(Executor):
    """Runs student code in this process (a student's own pytest run)."""

    def __init__(self, submission_dir: Path, display_name: str | None = None):
        super().__init__(submission_dir, display_name)
        from .worker import Runner

        self._runner = Runner(self.submission_dir, self.display)

    def _request(self, msg: dict, timeout: float, what: str) -> dict:
        # Round-trip through JSON exactly like the worker does, so both modes see the same values.
        use_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        if use_alarm:
            def on_alarm(signum, frame):
                raise StudentTimeout(f"{what} did not finish within {timeout:g}s")

            old = signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            reply = self._runner.handle(json.loads(json.dumps(msg)))
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
        return json.loads(json.dumps(reply))


# What a worker imports before it says "ready": the libraries every assignment's student code uses
# (each has a plotting exercise; all but training a symbolic one, and there torch's own checks need
# sympy), and two modules these libraries import on first use in nearly every worker: torch's
# symbolic_shapes at the first torch._check (nn.MultiheadAttention's padding-mask check, any meta-device
# op), sympy.tensor.tensor at the first sum of sympy terms. Imported before the fork, the grader and
# the workers share one copy instead of each worker importing its own (~2 and ~4 MB). The worker
# starts while the grader imports its own and collects, so on a machine with two cores this costs no
# waiting; with one it costs what the first tests would have paid, and that time is then not charged
# to the student's time limit. pyplot itself is left to the student's code, so that
# ``matplotlib.use("Agg")`` before it still works.
PRELOAD = ("torch,torch.fx.experimental.symbolic_shapes,sympy,sympy.tensor.tensor,matplotlib,matplotlib.figure,"
           "matplotlib.backends.backend_agg")


def worker_environment(base) -> dict:
    """A worker's environment, spawned or forked: the grader's, without the results folder, the
    submission's and Gradescope's root paths, with the worker's own settings."""
    env = {k: v for k, v in base.items()
           if not k.startswith("AUTOGRADER_RESULTS") and k not in ("AUTOGRADER_SUBMISSION", "AUTOGRADER_ROOT")}
    env.update(PYTHONPATH=str(Path(__file__).resolve().parent.parent), PYTHONHASHSEED="0",
               PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", AUTOGRADER_WORKER="1")
    return env


FORK_SERVER = None   # autograder.zygote.ForkServer, once start_fork_server() has run in this process


def start_fork_server(preload: str = PRELOAD, probes: list[str] | tuple[str, ...] = (),
                      imports: tuple[str, ...] = ()) -> bool:
    """Import the worker's libraries and probe modules here, then fork the server that forks every
    worker of this run (see :mod:`autograder.zygote`). Call it before anything secret is read. Returns
    False (workers are then spawned, each importing on its own) when AUTOGRADER_FORKSERVER=0, when the
    hash seed is random (a forked worker inherits it: set PYTHONHASHSEED=0), or when an import fails
    (the spawned worker then reports the broken environment). ``imports``: the assignment's
    ``worker_imports``, modules its workers would otherwise each import lazily (torch._dynamo was one,
    until :func:`defer_dynamo`)."""
    global FORK_SERVER
    if FORK_SERVER is not None:
        return True
    if os.environ.get("AUTOGRADER_FORKSERVER", "1") == "0" or os.environ.get("PYTHONHASHSEED") != "0":
        return False
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        for name in filter(None, preload.split(",")):
            __import__(name)
        for name in (*probes, *imports):
            __import__(name)
        import torch
        torch.set_num_threads(1)
    except Exception:   # noqa: BLE001 - the spawned worker says what is broken
        return False
    from . import worker
    from .zygote import ForkServer

    defer_dynamo()   # before the snapshot: the server and every worker inherit the stand-in
    _scan_for_hypothesis()
    worker.snapshot(",".join(probes))   # here rather than in the server: see worker.snapshot
    FORK_SERVER = ForkServer(probes)
    return True


def _scan_for_hypothesis() -> None:
    """Let hypothesis read the constants of the modules loaded so far now, before the fork, and from then
    on read only the modules added since its last look.

    Its pytest plugin reads them after collection, and again whenever ``sys.modules`` has grown: it lists
    every module of ``sys.modules`` (~2,000) to find the new ones, and each module listed has its reference
    count written, on a page the fork server and the workers share. Done before the fork, only the modules
    loaded after it are read after it (the constants found are the same either way). And :func:`_tail_scan`
    replaces its listing: new modules are found at the end of ``sys.modules``, which keeps insertion order.
    Measured in the grader of a cnn-foundations run: the first read copied 6.5 MB of pages when done after
    the fork; the full listings after it, 2.9 MB more than the tail scan does."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:
        return
    try:
        providers._get_local_constants()
    except Exception:   # noqa: BLE001 - a hypothesis without it, or a different one: it reads them later
        return
    needed = ("_local_constants", "_seen_modules", "_sys_modules_len", "Constants", "CONSTANTS_CACHE",
              "constants_from_module", "is_local_module_file")
    if all(hasattr(providers, name) for name in needed) and sys.platform != "emscripten":
        providers._get_local_constants = functools.partial(_tail_scan, providers)


def _tail_scan(providers):
    """hypothesis's ``_get_local_constants`` (6.170), reading only the end of ``sys.modules``.

    Hypothesis lists all of ``sys.modules`` whenever its length has changed, to find the modules it has not
    seen. Modules are added at the end (a dict keeps insertion order, and a module removed and imported
    again is added anew), so this walks back from the end: it collects the unseen ones until it has at
    least as many as the length grew by and meets a module already seen. That finds the same modules
    unless a module seen before is put back between two new ones in one interval, which no test does."""
    count_constants = len(providers._local_constants)
    length = len(sys.modules)
    if length != providers._sys_modules_len:
        grown = length - (providers._sys_modules_len or 0)
        new_modules = []
        for module in reversed(sys.modules.values()):
            if id(module) not in providers._seen_modules:
                new_modules.append(module)
            elif len(new_modules) >= grown:
                break
        new_modules.reverse()   # hypothesis's order: as imported
        new_constants = providers.Constants()
        for module in new_modules:
            if (module_file := getattr(module, "__file__", None)) is not None \
                    and providers.is_local_module_file(module_file):
                new_constants |= providers.constants_from_module(module)
            providers._seen_modules.add(id(module))
        providers._local_constants |= new_constants
        providers._sys_modules_len = length
    if len(providers._local_constants) > count_constants:
        providers.CONSTANTS_CACHE.cache.clear()
    return providers._local_constants


def stop_fork_server() -> None:
    global FORK_SERVER
    if FORK_SERVER is not None:
        FORK_SERVER.close()
        FORK_SERVER = None


class _Forked:
    """A worker forked by the fork server: the few things of ``subprocess.Popen`` the executor uses."""

    def __init__(self, pid: int, server):
        self.pid, self._server = pid, server

    def poll(self) -> int | None:
        return self._server.returncode(self.pid)

    def wait(self, timeout: float | None = None) -> int:
        code = self._server.returncode(self.pid, 30.0 if timeout is None else timeout)
        if code is None:
            raise subprocess.TimeoutExpired("worker", timeout or 30.0)
        return code

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class WorkerExecutor(Executor):
    """Runs student code in a separate process; this process never imports it."""

    def __init__(self, submission_dir: Path, display_name: str | None = None, preload: str = PRELOAD,
                 probes: list[str] | tuple[str, ...] = ()):
        super().__init__(submission_dir, display_name)
        self.preload = preload
        self.probes = list(probes)     # modules whose probe functions the worker binds before student code
        self._ids = random.SystemRandom()   # request ids (see _request)
        self.proc: subprocess.Popen | None = None
        self._out = self._in = None
        self._log = None
        self._log_pos = 0
        self.restarts = 0
        self.start()

    def start(self) -> None:
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        self._log = tempfile.TemporaryFile()
        self._log_pos = 0
        if FORK_SERVER is not None:
            try:
                pid = FORK_SERVER.spawn([req_r, resp_w, self._log.fileno()],
                                        {"submission": str(self.submission_dir), "display": self.display,
                                         "preload": self.preload, "probes": ",".join(self.probes)})
            finally:
                os.close(req_r)
                os.close(resp_w)
            self.proc = _Forked(pid, FORK_SERVER)
        else:
            env = worker_environment(os.environ)
            env["AUTOGRADER_WORKER_FDS"] = f"{req_r},{resp_w}"   # read and dropped by the worker at once
            self.proc = subprocess.Popen(
                [sys.executable, "-s", "-m", "autograder.worker", str(self.submission_dir), self.display,
                 self.preload, ",".join(self.probes)],
                pass_fds=(req_r, resp_w), stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                cwd=str(self.submission_dir), env=env, start_new_session=True)
            os.close(req_r)
            os.close(resp_w)
        self._out, self._in = req_w, resp_r
        self._ready = False
        self.generation += 1
        self._last_id = self._test_mark = 0

    def _wait_ready(self) -> None:
        """The worker says b"ready" once its preloads are imported; that time is not the student's."""
        began = time.perf_counter()
        try:
            (size,) = struct.unpack(">Q", self._read_exactly(8, STARTUP_TIMEOUT))
            if size > 4096:
                raise EOFError("unexpected greeting")
            greeting = self._read_exactly(size, STARTUP_TIMEOUT)
        except (StudentTimeout, EOFError, OSError, struct.error) as exc:
            printed = self._printed()
            self.kill()
            raise WorkerCrashed(f"the worker process did not start ({exc}); it printed:\n{printed[-1500:]}") from None
        if greeting.startswith(b"broke"):
            self.kill()
            raise EnvironmentBroken("the worker cannot import the grading libraries: "
                                    + greeting[5:].decode("utf-8", "replace"))
        if greeting != b"ready":
            self.kill()
            raise WorkerCrashed("the worker process did not start (unexpected greeting)")
        self._ready = True
        self._overhead += time.perf_counter() - began

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        if isinstance(self.proc, subprocess.Popen):
            self.proc.wait()
        elif self.proc is not None:   # reaped by the fork server: wait for its word that the worker is gone, so
            try:                      # that a worker forked next never overlaps it (two workers' memory at once)
                self.proc.wait(5.0)
            except subprocess.TimeoutExpired:
                pass
        for fd in (self._out, self._in):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._out = self._in = None
        self.proc = None

    def close(self) -> None:
        self.kill()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self._ready

    def recycle_for_next_exercise(self) -> None:
        """Between two exercises. With the fork server a fresh worker costs ~10 ms, so every exercise
        gets one: nothing the last exercise's code left behind (its memory, its objects, a change to
        the grader's modules) reaches the next, and the run's peak memory is the largest exercise's
        rather than their sum. A spawned worker costs a whole import, so it is replaced only when it
        was tampered with or has grown near its memory cap."""
        if isinstance(self.proc, _Forked):   # only the fork server makes these
            self.kill()
        else:
            self.recycle_if_tampered() or self.recycle_if_large()

    def recycle_if_tampered(self) -> bool:
        """Restart the worker (lazily) when student code has changed the grader's own modules in it, so
        that one exercise's tampering cannot spoil the probes of the next."""
        if not self.alive():
            return False
        try:
            changed = self._request({"op": "guard"}, timeout=CALL_TIMEOUT, what="checking the worker").get("ok")
        except (StudentTimeout, WorkerCrashed):
            return True   # already killed
        if changed:
            self.kill()
            return True
        return False

    def recycle_if_large(self, headroom_mb: float | None = None) -> bool:
        """Restart the worker (lazily) when less than ``headroom_mb`` (default
        ``sandbox.HEADROOM_MB``) of its private-memory cap is left."""
        from . import sandbox

        headroom_mb = sandbox.HEADROOM_MB if headroom_mb is None else headroom_mb
        if self.proc is None or self.proc.poll() is not None:
            return False
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
            data_kb = int(next(l for l in status.splitlines() if l.startswith("VmData:")).split()[1])
        except (OSError, StopIteration, ValueError, IndexError):
            return False
        if data_kb * 1024 <= (sandbox.MEMORY_MB - headroom_mb) * 2**20:
            return False
        self.kill()
        return True

    def _printed(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(self._log_pos)
        data = self._log.read(OUTPUT_LIMIT + 1)
        self._log.seek(0, 2)
        self._log_pos = self._log.tell()
        return data.decode("utf-8", "replace")

    def ensure_alive(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.kill()
            self.start()
            self.restarts += 1

    def _request(self, msg: dict, timeout: float, what: str) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.kill()
            raise WorkerCrashed(f"the process running your code had ended before {what}")
        if not self._ready:
            self._wait_ready()
        # Each request's id is random, not a counter: code in the worker that writes a reply of its own
        # onto the pipe cannot guess the id it must echo (it would have to dig the request out of the
        # worker's memory: best-effort, see the README's isolation section).
        seq = self._ids.getrandbits(53)
        payload = json.dumps({**msg, "id": seq}).encode()
        deadline = time.monotonic() + timeout
        try:
            os.write(self._out, struct.pack(">Q", len(payload)))
            view = memoryview(payload)
            while view:
                n = os.write(self._out, view)
                view = view[n:]
            header = self._read_exactly(8, deadline - time.monotonic())
            (size,) = struct.unpack(">Q", header)
            if size > MAX_MESSAGE:
                self.kill()
                raise ProtocolViolation(f"{what} sent back more than {MAX_MESSAGE // 2**20} MB, more than the grader "
                                        "reads: return smaller values (the process running your code was restarted)")
            body = self._read_exactly(size, deadline - time.monotonic())
            reply = self._parse(body, seq, what)
        except StudentTimeout:
            self.kill()
            raise StudentTimeout(f"{what} did not finish within {timeout:g}s (stopped)") from None
        except (BrokenPipeError, EOFError, OSError, ValueError) as exc:
            code = None
            if self.proc is not None:
                try:  # the pipe closes a moment before the exit status is ready
                    code = self.proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    code = None
            printed = self._printed()
            self.kill()
            how = (f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}")
            detail = f"\nIt printed:\n{printed[-1500:]}" if printed.strip() else ""
            raise WorkerCrashed(f"the process running your code ended during {what} ({how}){detail}") from exc
        reply["output"] = self._printed()
        return reply

    def _parse(self, body: bytes, seq: int, what: str) -> dict:
        """The reply to request ``seq``, or a protocol violation (the worker is then killed)."""
        def violation(why: str) -> ProtocolViolation:
            self.kill()
            return ProtocolViolation(f"{what}: {why}; this is a protocol violation, so the call gains nothing "
                                     "(the process running your code was restarted)")

        containers = body.count(b"[") + body.count(b"{")
        if containers > MAX_CONTAINERS or body.count(b",") > MAX_ITEMS:
            raise violation(f"the reply holds more than {MAX_CONTAINERS:,} lists and objects or "
                            f"{MAX_ITEMS:,} items, more than the grader reads")
        if select.select([self._in], [], [], 0)[0]:
            raise violation("more data arrived than the one reply asked for (something else wrote to the "
                            "grader's pipe)")
        try:
            reply = json.loads(body)
        except (ValueError, RecursionError):
            raise violation("the reply was not valid") from None
        if not isinstance(reply, dict) or reply.get("id") != seq or type(reply.get("id")) is not int:
            raise violation("the reply did not answer the request it was sent for")
        return reply

    def _read_exactly(self, n: int, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise StudentTimeout("timeout")
            ready, _, _ = select.select([self._in], [], [], left)
            if not ready:
                raise StudentTimeout("timeout")
            chunk = os.read(self._in, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError("worker closed the pipe")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)


def format_student_traceback(exc: BaseException, root: Path, display: str) -> tuple[str, str]:
    """(where, traceback) listing only frames in the submission's own files."""
    frames = [f for f in tb.extract_tb(exc.__traceback__) if _inside(f.filename, root)]
    lines = []
    for f in frames[-8:]:
        rel = f"{display}/{Path(f.filename).resolve().relative_to(root)}"
        lines.append(f'  File "{rel}", line {f.lineno}, in {f.name}' + (f"\n    {f.line}" if f.line else ""))
    where = lines[-1].strip().split("\n")[0] if lines else ""
    return where, ("Traceback (your code only):\n" + "\n".join(lines)) if lines else ""


def _inside(filename: str, root: Path) -> bool:
    try:
        Path(filename).resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False
