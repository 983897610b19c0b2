"""The side of the seam that runs student code.

``Runner`` keeps the student's modules and objects and answers requests (import,
call, getattr, setattr, has) with plain data from :mod:`autograder.wire`. It
serves ``LocalExecutor`` in-process, and ``python -m autograder.worker`` runs it
in a worker process that talks to the grader over two pipes (8-byte length,
then a JSON body). The worker's stdout and stderr go to a file the grader reads.
"""
from __future__ import annotations

import importlib.util
import json
import operator
import os
from itertools import repeat
import struct
import sys
from pathlib import Path
from typing import Any

from . import wire
from .seam import defer_dynamo, format_student_traceback, freeze_heap, pause_gc, seed_everything


class Runner:
    def __init__(self, submission_dir: Path, display: str):
        self.root = Path(submission_dir).resolve()
        self.display = display
        self.objects: dict[int, Any] = {}
        self.import_errors: dict[str, str] = {}
        self._next = 0
        if str(self.root) not in sys.path:
            sys.path.insert(0, str(self.root))

    # ------------------------------------------------------------ protocol
    def handle(self, msg: dict) -> dict:
        op = msg.get("op")
        try:
            if op == "import":
                return self._import(str(msg["module"]))
            if op == "release":
                return {"ok": self._release(int(msg["after"]))}
            if op == "guard":        # has student code changed the grader's own modules here?
                try:
                    GUARD.check()
                except Tampered as exc:
                    return {"ok": str(exc)[:300]}
                return {"ok": None}
            if "seed" in msg:
                seed_everything(int(msg["seed"]))
            if op == "probe":
                func = _probe_function(str(msg["func"]))
                args = wire.decode(msg["args"], self._resolve)
                kwargs = wire.decode(msg["kwargs"], self._resolve)
                GUARD.check()
                value = func(*args, **kwargs)
                GUARD.check()
                return self._reply(value)
            target = self.objects[int(msg["target"])]
            if op == "has":
                return {"ok": hasattr(target, str(msg["name"]))}
            path = [str(p) for p in msg.get("path", [])]
            if op == "setattr":
                obj = self._walk(target, path[:-1])
                setattr(obj, path[-1], wire.decode(msg["value"], self._resolve))
                return {"ok": None}
            obj = self._walk(target, path)
            if op == "getattr":
                return self._reply(obj)
            if op == "call":
                args = wire.decode(msg["args"], self._resolve)
                kwargs = wire.decode(msg["kwargs"], self._resolve)
                return self._reply(obj(*args, **kwargs))
            return {"err": {"kind": "protocol", "message": f"unknown operation {op!r}"}}
        except _Missing as exc:
            return {"err": {"kind": "missing", "message": str(exc)}}
        except Tampered as exc:
            return {"err": {"kind": "tampered", "message": str(exc)[:300]}}
        except Exception as exc:  # student code raised: report it, keep serving
            return {"err": self._describe(exc)}

    def _release(self, after: int) -> int:
        """Forget the objects handed out after handle ``after`` (a finished test's models, tensors
        and results), except modules; returns how many. Their memory is then the collector's."""
        gone = [i for i, obj in self.objects.items() if i > after and type(obj).__name__ != "module"]
        for i in gone:
            del self.objects[i]
        return len(gone)

    # ------------------------------------------------------------ helpers
    def _store(self, obj: Any) -> dict:
        self._next += 1
        self.objects[self._next] = obj
        kind = type(obj)
        name = f"module {obj.__name__}" if kind.__name__ == "module" else kind.__qualname__
        return {"$t": "handle", "id": self._next, "type": str(name)[:200]}

    def _resolve(self, data: dict) -> Any:
        return self.objects[int(data["id"])]

    def _reply(self, value: Any) -> dict:
        try:
            return {"ok": wire.encode(value, self._store)}
        except wire.WireError as exc:
            return {"err": {"kind": "encode", "message": str(exc)}}

    def _walk(self, obj: Any, path: list[str]) -> Any:
        for i, name in enumerate(path):
            if not hasattr(obj, name):
                where = (f"{self.display}/{obj.__name__}.py" if type(obj).__name__ == "module"
                         else f"your {type(obj).__qualname__} object")
                dotted = ".".join(path[: i + 1])
                raise _Missing(f"{where} has no attribute named `{dotted}` "
                               "(was it renamed, or its definition removed?)")
            obj = getattr(obj, name)
        return obj

    def _describe(self, exc: BaseException) -> dict:
        where, trace = format_student_traceback(exc, self.root, self.display)
        try:
            message = str(exc)[:2000]
        except Exception:
            message = "<the exception's message could not be printed>"
        return {"kind": "raised", "type": type(exc).__name__, "message": message,
                "where": where, "traceback": trace}

    def _import(self, name: str) -> dict:
        if name in self.import_errors:
            return {"err": {"kind": "import", "message": self.import_errors[name]}}
        mod = sys.modules.get(name)
        path = self.root / f"{name}.py"
        if mod is None or Path(getattr(mod, "__file__", "") or "").resolve() != path:
            if not path.is_file():
                return self._import_failed(name, f"{self.display}/{name}.py was not found in the submission")
            spec = importlib.util.spec_from_file_location(name, path)
            mod = importlib.util.module_from_spec(spec)
            sys.modules[name] = mod
            try:
                spec.loader.exec_module(mod)
            except SyntaxError as exc:
                sys.modules.pop(name, None)
                line = f", line {exc.lineno}" if exc.lineno else ""
                text = f"\n    {exc.text.rstrip()}" if exc.text else ""
                return self._import_failed(
                    name, f"{self.display}/{name}.py{line}: {type(exc).__name__}: {exc.msg}{text}")
            except BaseException as exc:
                sys.modules.pop(name, None)
                if not isinstance(exc, Exception):
                    raise
                info = self._describe(exc)
                return self._import_failed(
                    name, f"{self.display}/{name}.py could not be imported: {info['type']}: {info['message']}\n"
                          f"{info['traceback']}".rstrip())
        return {"ok": self._store(mod)}

    def _import_failed(self, name: str, message: str) -> dict:
        self.import_errors[name] = message
        return {"err": {"kind": "import", "message": message}}


class _Missing(Exception):
    pass


# Probes are grader functions that run beside student code (e.g. a backward pass through a
# student's module). Only public grader code may be named (never hidden tests), and only what was
# imported before any student code: the worker binds every function of the probe modules then
# (PROBES), and checks before and after each probe call that student code has rebound none of the
# grader's own names (see Guard).
PROBE_PACKAGES = ("autograder.rules", "autograder.probes", "tests.public.")
PROBES: dict[str, Any] = {}
STRICT = [False]   # True in a worker process: only probes bound before student code


class Tampered(Exception):
    """Student code changed the grader's own functions or modules in the worker."""


class Guard:
    """A snapshot of the grader's modules in the worker (``autograder.*`` and ``tests.public.*``), taken
    before any student code runs: every module-level name's object, each function's code, defaults
    and globals, each class's attributes. :meth:`check` names what changed since.

    Student code shares this process, so a determined submission can defeat this too (it can patch
    the check itself): it stops rebinding by name, and every verdict that can be given from plain
    data is given in the grader instead (README, isolation)."""

    def __init__(self):
        self.modules: dict[str, Any] = {}
        self.entries: list[tuple[Any, str, Any, str]] = []   # (live mapping or object, key, object, label)
        self.sizes: list[tuple[Any, int, str]] = []          # (live mapping, its size, label)

    def snapshot(self) -> None:
        for name, mod in list(sys.modules.items()):
            if mod is None or not (name.startswith("autograder") or name.startswith("tests.public")):
                continue
            self.modules[name] = mod
            names = vars(mod)
            self.sizes.append((names, len(names), name))
            for key, value in list(names.items()):
                self.entries.append((names, key, value, f"{name}.{key}"))
                if getattr(value, "__module__", None) != name:
                    continue
                if hasattr(value, "__code__"):
                    for attr in ("__code__", "__defaults__", "__kwdefaults__", "__globals__"):
                        self.entries.append((value, attr, getattr(value, attr), f"{name}.{key}.{attr}"))
                elif isinstance(value, type):
                    members = vars(value)   # a live view of the class's attributes
                    self.sizes.append((members, len(members), f"{name}.{key}"))
                    for attr, member in list(members.items()):
                        self.entries.append((members, attr, member, f"{name}.{key}.{attr}"))
        self.freeze()

    def freeze(self) -> None:
        """Group the entries by owner, so that :meth:`check` compares each owner's keys in one C-level pass."""
        groups: dict[int, tuple[Any, list, list]] = {}
        for owner, key, value, _ in self.entries:
            _, keys, values = groups.setdefault(id(owner), (owner, [], []))
            keys.append(key)
            values.append(value)
        self.groups = [(owner, hasattr(owner, "get"), tuple(keys), tuple(values))
                       for owner, keys, values in groups.values()]

    def check(self) -> None:
        for name, mod in self.modules.items():
            if sys.modules.get(name) is not mod:
                raise Tampered(f"the module {name} was replaced")
        for mapping, size, label in self.sizes:
            if len(mapping) != size:
                raise Tampered(f"names were added to or removed from {label}")
        try:
            clean = all(all(map(operator.is_, map(owner.get, keys) if mapping else map(getattr, repeat(owner), keys),
                                values))
                        for owner, mapping, keys, values in self.groups)
        except AttributeError:   # an attribute deleted
            clean = False
        if not clean:   # say what changed
            for owner, key, value, label in self.entries:
                now = owner.get(key, _GONE) if hasattr(owner, "get") else getattr(owner, key, _GONE)
                if now is not value:
                    raise Tampered(f"{label} was changed")


_GONE = object()
GUARD = Guard()


def bind_probes(modules: list[str]) -> None:
    """Import the probe modules and bind their public functions (before any student code runs)."""
    for module in ["autograder.rules", *modules]:
        if not module.startswith(PROBE_PACKAGES):
            continue
        mod = importlib.import_module(module)
        for name, value in vars(mod).items():
            if callable(value) and not name.startswith("_") and getattr(value, "__module__", None) == module:
                PROBES[f"{module}:{getattr(value, '__qualname__', name)}"] = value


def _probe_function(spec: str):
    module, _, qualname = spec.partition(":")
    if not module.startswith(PROBE_PACKAGES) or not qualname or qualname.startswith("_"):
        raise _Missing(f"the grader asked for an unknown probe {spec!r}")
    func = PROBES.get(spec)
    if func is None and not STRICT[0]:   # in-process (a student's own pytest run): look it up now
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        return obj
    if func is None:
        raise _Missing(f"the grader asked for the probe {spec!r}, which was not loaded before your code")
    return func


# ---------------------------------------------------------------- process main
def _read_exactly(fd: int, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, n - got)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _write_frame(fd: int, data: bytes) -> None:
    os.write(fd, struct.pack(">Q", len(data)))
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _hide(fd: int) -> int:
    """``fd`` moved to an unremarkable high number, close-on-exec (a child the student starts gets none)."""
    import fcntl
    import random

    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, random.SystemRandom().randrange(300, 900))
    os.close(fd)
    return new


def main(argv: list[str] | None = None) -> None:
    """A spawned worker (``python -m autograder.worker``): its own interpreter imports the preloads."""
    args = list(argv or sys.argv[1:])
    submission_dir, display, preload = args[:3]
    probes = args[3] if len(args) > 3 else ""
    fd_in, fd_out = (int(x) for x in os.environ.pop("AUTOGRADER_WORKER_FDS").split(","))
    del sys.argv[1:]   # nothing of the protocol stays where student code looks first
    serve(fd_in, fd_out, submission_dir, display, preload, probes)


PREPARED = [False]   # prepare() has run: in the fork server, once for every worker it forks


def snapshot(probes: str) -> None:
    """Bind the probes, look up the canary's torch functions, and take the guard's snapshot of the
    grader's own modules, once per process.

    With a fork server, the grader calls this just before it forks the server (nothing secret is loaded
    yet; see :func:`autograder.seam.start_fork_server`), so that every worker inherits it. The snapshot
    holds a reference to each of ~2,600 objects: taken after the fork, each reference's count written
    copies the page the object lives on (8.4 MB of copies in the server; 1-2 MB less at a run's peak, as
    the grader or the worker copy many of those pages anyway).
    """
    if GUARD.modules:
        return
    bind_probes([m for m in probes.split(",") if m])
    from . import rules, sandbox  # noqa: F401 - imported before the snapshot: serve() uses sandbox
    rules.canary_tools()   # bound before any student code can replace torch.hardshrink
    GUARD.snapshot()


def prepare(probes: str) -> None:
    """What a worker does once its libraries are imported and before any student code: :func:`snapshot`
    (unless inherited), strict probe lookup, and torch's first-seeding costs. The fork server does it
    once (every worker it forks inherits the result); a spawned worker does it itself."""
    defer_dynamo()   # a forked worker has it from the grader already
    snapshot(probes)
    STRICT[0] = True
    if "torch" in sys.modules:
        seed_everything(0)  # first-call costs of seeding are not the student's time
    PREPARED[0] = True


def serve(fd_in: int, fd_out: int, submission_dir: str, display: str, preload: str, probes: str) -> None:
    """Enter the sandbox, import (or check) the preloads, bind the probes, greet, then answer requests
    until the grader closes the pipe. A forked worker (:mod:`autograder.zygote`) has the preloads
    imported already, as root, before the fork: it checks that the sandbox user can still read them."""
    fd_in, fd_out = _hide(fd_in), _hide(fd_out)
    from . import sandbox

    sandbox.enter(os.environ.get("AUTOGRADER_SCRATCH"))  # before anything of the student's runs
    pause_gc()  # until the preloads are in (freeze_heap below)
    try:
        for name in filter(None, preload.split(",")):
            __import__(name)
            where = getattr(sys.modules[name], "__file__", None)
            if where is None:   # an unreadable package imports as an empty namespace package
                raise ImportError(f"{name} cannot be read (it imported as an empty namespace package)")
            if not os.access(where, os.R_OK):   # imported before the fork, unreadable to the sandbox user now
                raise ImportError(f"{name} cannot be read by the user that runs student code ({where})")
        if not PREPARED[0]:
            prepare(probes)
    except Exception as exc:  # the grading environment is broken: the grader's fault, never the student's
        _write_frame(fd_out, b"broke" + f"{type(exc).__name__}: {exc}"[:2000].encode("utf-8", "replace"))
        return
    runner = Runner(Path(submission_dir), display)
    freeze_heap()  # the preloads never become garbage; the student's objects are collected as usual
    _write_frame(fd_out, b"ready")
    while True:
        try:
            (size,) = struct.unpack(">Q", _read_exactly(fd_in, 8))
            msg = json.loads(_read_exactly(fd_in, size))
        except EOFError:
            return
        reply = runner.handle(msg)
        reply["id"] = msg.get("id")
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        try:
            data = json.dumps(reply).encode()
        except (TypeError, ValueError) as exc:
            data = json.dumps({"id": msg.get("id"), "err": {"kind": "encode", "message": str(exc)[:500]}}).encode()
        _write_frame(fd_out, data)


if __name__ == "__main__":
    main()
