"""Wait for the grading process of a run, with the run's deadline, in as small a process as Python makes.

``python -m autograder run`` prepares a run (it reads the manifest, unpacks the upload, locks the
tree down), starts pytest, and then has nothing to do but wait and, at the end, write results.json.
Its imports (json, subprocess, the upload and notebook readers, the manifest's toml) hold ~10 MB for
the whole run, which the container counts. So it hands the waiting over to this file: it replaces
itself (``exec``) with ``python -I -S waiter.py PID DEADLINE COMMAND...``, which imports nothing but
``select`` and ``time`` (~3 MB), waits for PID until DEADLINE (``time.monotonic()``, the same clock
in every process), kills its process group if the deadline passes, and then replaces itself with
``COMMAND... EXIT_CODE TIMED_OUT`` (``python -m autograder finish``), which writes results.json.

The process keeps its pid throughout, so pytest stays its child, and whoever started
``run_autograder`` (Gradescope, ``dry-run``, ``grade``) waits for and can kill the same process.
"""
import os
import select
import sys
import time

SIGKILL = 9   # signal.SIGKILL on Linux; the signal module imports enum, which this process does not need


def wait(pid: int, deadline: float) -> tuple[int, bool]:
    """Wait for child ``pid`` until ``deadline`` (``time.monotonic()``); past it, kill its process group
    (pid is its leader) and wait for it. Returns (its exit code as ``subprocess`` reports it: -N when
    killed by signal N, whether the deadline passed)."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):   # no pidfd (Linux < 5.3): poll
        fd = None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), False
            left = deadline - time.monotonic()
            if left <= 0:
                try:
                    os.killpg(pid, SIGKILL)
                except OSError:
                    pass
                _, status = os.waitpid(pid, 0)
                return os.waitstatus_to_exitcode(status), True
            if fd is not None:
                select.select([fd], [], [], left)
            else:
                time.sleep(min(left, 0.05))
    finally:
        if fd is not None:
            os.close(fd)


def hand_over(pid: int, deadline: float, then: list[str]) -> None:
    """Replace this process with this file waiting for ``pid``; then ``then + [code, timed_out]`` runs in
    its place. Returns only if the exec is refused (the caller then waits itself)."""
    os.execv(sys.executable, [sys.executable, "-I", "-S", os.path.abspath(__file__), str(pid), repr(deadline),
                              *then])


def main(argv: list[str]) -> None:
    pid, deadline, then = int(argv[0]), float(argv[1]), argv[2:]
    code, timed_out = wait(pid, deadline)
    os.execv(then[0], [*then, str(code), "1" if timed_out else "0"])


if __name__ == "__main__":
    main(sys.argv[1:])
