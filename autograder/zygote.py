"""The fork server (zygote): one import of torch, numpy, sympy and matplotlib per grading run.

The grader imports the worker's libraries and the public probe modules (``tests/public/*_support``)
once, in ``pytest_configure``, before it has read anything secret: no test module is collected yet,
and no solution, hidden test, answer key or metadata has been opened. It then forks this server,
which closes every file the grader had open, and forks one worker per request. A worker inherits the
imported libraries copy-on-write (their pages are shared with the grader, so a container counts them
once), enters the sandbox itself (network namespace, limits, user switch) before it touches student
code, exactly as a spawned worker does (:func:`autograder.worker.serve`), and talks to the grader
over its own two pipes. A restart costs a fork instead of an interpreter and its imports.

Why a fork loop of our own rather than ``multiprocessing.forkserver``: that server is a fresh
interpreter (started with ``python -c 'from multiprocessing.forkserver import main; ...'``), so its
preloads are a second import whose pages the grader does not share, and its children run
multiprocessing's bootstrap (pickled process objects, its own pipes, a resource tracker) around a
worker that already has its protocol. Forking from the grader shares the one import; the loop below
is the whole server.

Protocol, over a SOCK_SEQPACKET socket pair: the grader sends ``{"submission", "display", "preload",
"probes"}`` with three descriptors (the worker's request pipe, its reply pipe, its output file); the
server answers ``{"pid": n}``. When a worker ends, the server reaps it and sends ``{"exit": pid,
"code": c}`` (c < 0: killed by signal -c, as ``subprocess`` reports it). The server ends when the
grader's end of the socket closes, or when the grader dies (PR_SET_PDEATHSIG).
"""
from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import socket
import sys
import time

PR_SET_PDEATHSIG = 1


class ForkServer:
    """The grader's handle on the server: :meth:`spawn` a worker, learn when one has ended."""

    def __init__(self, probes: list[str] | tuple[str, ...] = ()) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        for s in (mine, theirs):
            s.set_inheritable(False)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:   # the server: never returns into the grader's code
            code = 1
            try:
                mine.detach()
                _server(theirs, list(probes))
                code = 0
            finally:
                os._exit(code)
        theirs.close()
        self.pid, self.sock = pid, mine
        self.exits: dict[int, int] = {}

    def spawn(self, fds: list[int], args: dict) -> int:
        socket.send_fds(self.sock, [json.dumps(args).encode()], fds)
        while True:
            msg = self._receive(timeout=30.0)
            if msg is None:
                raise OSError("the fork server did not answer")
            if "exit" in msg:
                continue
            if "pid" in msg:
                return int(msg["pid"])
            if "error" in msg:
                raise OSError(f"the fork server could not fork a worker: {msg['error']}")

    def returncode(self, pid: int, timeout: float = 0.0) -> int | None:
        """The exit code of worker ``pid`` once it has ended (None while it runs), waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        while pid not in self.exits:
            msg = self._receive(timeout=max(deadline - time.monotonic(), 0.0))
            if msg is None:
                if not self.alive():   # no server, no reaping: the worker is not waited for
                    return self.exits.get(pid, _gone(pid))
                return None
        return self.exits[pid]

    def _receive(self, timeout: float) -> dict | None:
        """One message from the server (exit notices are filed as they come), or None by ``timeout``."""
        while True:
            ready, _, _ = select.select([self.sock], [], [], timeout)
            if not ready:
                return None
            data = self.sock.recv(4096)
            if not data:
                return None
            msg = json.loads(data)
            if "exit" in msg:
                self.exits[int(msg["exit"])] = int(msg["code"])
            return msg

    def alive(self) -> bool:
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass


def _gone(pid: int) -> int | None:
    try:
        os.kill(pid, 0)
        return None
    except ProcessLookupError:
        return -signal.SIGKILL
    except PermissionError:
        return None


# ---------------------------------------------------------------- the server process
def _server(sock: socket.socket, probes: list[str]) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:   # the grader died before the line above
        return
    _close_all_but(sock.fileno())
    from . import worker

    worker.prepare(",".join(probes))   # once here, inherited by every worker (see worker.prepare)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
        signal.signal(sig, signal.SIG_DFL)
    wake_r, wake_w = os.pipe()   # a worker's end wakes the loop at once (SIGCHLD), to reap it and tell
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: set[int] = set()
    while True:
        ready, _, _ = select.select([sock, wake_r], [], [], 1.0)
        if wake_r in ready:
            os.read(wake_r, 4096)
        _reap(sock, children)
        if sock not in ready:
            continue
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 65536, 8)
        except OSError:
            msg, fds = b"", []
        if not msg:   # the grader closed its end: end the workers left, and wait for them (their CPU
            for pid in children:   # time then counts as the grader's children's, as a spawned worker's does)
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
            for pid in children:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
            return
        try:
            args = json.loads(msg)
            pid = os.fork()
        except Exception as exc:   # noqa: BLE001 - told to the grader, which reports it
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:500]}).encode())
            continue
        if pid == 0:
            code = 1
            try:
                sock.close()
                _worker(fds, args)
                code = 0
            finally:
                os._exit(code)
        children.add(pid)
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps({"pid": pid}).encode())


def _reap(sock: socket.socket, children: set[int]) -> None:
    for pid in list(children):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done:
            children.discard(pid)
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            try:
                sock.send(json.dumps({"exit": pid, "code": code}).encode())
            except OSError:
                pass


def _close_all_but(*keep: int) -> None:
    """Close every descriptor but ``keep``; 0, 1 and 2 point at /dev/null."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        if fd != null:
            os.dup2(null, fd)
    fds = [int(name) for name in os.listdir("/proc/self/fd")] if os.path.isdir("/proc/self/fd") else \
        list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _worker(fds: list[int], args: dict) -> None:
    """A forked worker: the process it is, then :func:`autograder.worker.serve`."""
    import io

    req_r, resp_w, log = fds
    os.setsid()   # its own group: the grader kills it and everything it started at once
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _close_all_but(req_r, resp_w, log)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), encoding="utf-8", errors="backslashreplace")
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    try:
        import faulthandler
        faulthandler.disable()   # it wrote to the grader's stderr
    except Exception:   # noqa: BLE001
        pass
    from .seam import worker_environment

    env = worker_environment(os.environ)
    os.environ.clear()
    os.environ.update(env)
    sys.dont_write_bytecode = True
    from . import worker

    sys.argv[:] = [worker.__file__]   # nothing of the grader's command line where student code looks first
    os.chdir(args["submission"])
    worker.serve(req_r, resp_w, args["submission"], args["display"], args["preload"], args["probes"])
