"""Where student code runs in the autograder: an unprivileged user, resource limits, no network.

Two halves:

* :func:`lock_down` runs in the trusted process (as root, before grading): it makes the
  solutions, hidden tests, answer keys, Gradescope's metadata and the results folder
  unreadable to the sandbox user, and gives the worker a private scratch folder.
* :func:`enter` runs first thing in each worker process, before any student code: it moves
  the process into an empty network namespace, sets its limits (address space, file size,
  processes, core dumps) and drops to the sandbox user.

Without root (a student's laptop, most CI) only the limits apply; :func:`status` says which
protections are in force, and the run's header prints it.
"""
from __future__ import annotations

import ctypes
import os
import pwd
import resource
import signal
import stat
import time
from pathlib import Path

USER = os.environ.get("AUTOGRADER_SANDBOX_USER", "autograder-student")
# The worker's private data (heap and anonymous maps, RLIMIT_DATA). torch, numpy, sympy and
# matplotlib imported take ~310 MB of it (torch._dynamo, which torch.optim imports, ~40 MB more);
# grading an assignment's six exercises in one worker peaks at ~370 MB. Between exercises the
# worker is recycled when less than HEADROOM_MB of the cap is left, so every exercise starts with
# at least that much for the student's own data (the largest reference exercise uses ~110 MB).
# Grader + worker need more than Gradescope's default 768 MB for a large assignment:
# `python -m autograder dry-run` measures it (README: raise the assignment's memory).
MEMORY_MB = int(os.environ.get("AUTOGRADER_WORKER_MEMORY_MB", "640"))
HEADROOM_MB = int(os.environ.get("AUTOGRADER_WORKER_HEADROOM_MB", "256"))
ADDRESS_MB = int(os.environ.get("AUTOGRADER_WORKER_ADDRESS_MB", "4096"))  # address space, a backstop
FILE_MB = int(os.environ.get("AUTOGRADER_WORKER_FILE_MB", "64"))         # largest file it may write
PROCESSES = int(os.environ.get("AUTOGRADER_WORKER_PROCESSES", "256"))    # threads count too
CLONE_NEWNET = 0x40000000


def available() -> bool:
    """Running as root, and ``setup.sh`` created the sandbox user."""
    if os.geteuid() != 0:
        return False
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return False
    return True


def wanted() -> bool:
    """The autograder run (``python -m autograder run``) turns the sandbox on with
    AUTOGRADER_SANDBOX=1 after preparing folders the worker may read; a plain
    ``pytest --worker`` keeps the worker limits but does not switch users."""
    return os.environ.get("AUTOGRADER_SANDBOX") == "1" and available()


def user_ids() -> tuple[int, int]:
    entry = pwd.getpwnam(USER)
    return entry.pw_uid, entry.pw_gid


# ---------------------------------------------------------------- trusted side
PRIVATE = ("solutions", "tests/hidden", "tests/keys", "selftests", ".git")


def lock_down(source: Path, root: Path) -> list[str]:
    """Make what the student must not read root-only; returns what was changed."""
    changed = []
    if not wanted():
        return changed
    targets = [Path(source) / p for p in PRIVATE] + [Path(root) / "results",
                                                     Path(root) / "submission_metadata.json"]
    for path in targets:
        if path.exists():
            os.chown(path, 0, 0)
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
            changed.append(str(path))
    return changed


def prepare_workdir(work: Path) -> tuple[Path, Path]:
    """``work`` holds the submission copy (readable, not writable, by the worker), a private
    folder for the grader's own files, and the worker's scratch folder. Returns (private, scratch)."""
    private, scratch = work / "private", work / "scratch"
    private.mkdir(mode=0o700, exist_ok=True)
    scratch.mkdir(mode=0o700, exist_ok=True)
    if wanted():
        os.chmod(work, 0o711)          # the worker may pass through, not list
        uid, gid = user_ids()
        os.chown(scratch, uid, gid)
    return private, scratch


def share_read_only(folder: Path) -> None:
    """Files the worker must read (the student's own code): root-owned, world-readable, read-only."""
    if not wanted():
        return
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, 0, 0, follow_symlinks=False)
        if not path.is_symlink():
            os.chmod(path, 0o755 if path.is_dir() else 0o644)


def sweep(run_id: str | None = None, on: bool | None = None) -> int:
    """Kill the processes still running as the sandbox user (forks that escaped their group).

    With ``run_id``, only those started by that run (they inherit AUTOGRADER_RUN_ID), so runs
    side by side (batch grading, a dry run beside the self-tests) leave each other alone.
    ``on`` replaces the AUTOGRADER_SANDBOX check of this process, for a caller (batch grading)
    sweeping after runs that turned the sandbox on in their own environment.
    """
    if not (wanted() if on is None else on and available()):
        return 0
    uid, _ = user_ids()
    killed = 0
    deadline = time.monotonic() + 10.0
    # Rounds until a scan finds nothing: stop every process found first (a stopped parent cannot fork
    # again), then kill them; SIGKILL is delivered asynchronously, so wait a little between rounds.
    while time.monotonic() < deadline:
        found = [pid for pid in processes_of(uid) if run_id is None or _started_by(pid, run_id)]
        if not found:
            break
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in found:
                try:
                    os.kill(pid, sig)
                    killed += sig == signal.SIGKILL
                except OSError:
                    pass
        time.sleep(0.05)
    return killed


def _started_by(pid: int, run_id: str) -> bool:
    try:
        return f"AUTOGRADER_RUN_ID={run_id}".encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def processes_of(uid: int) -> list[int]:
    """Live pids whose real uid is ``uid`` (from /proc/<pid>/status: the directory's owner is not reliable)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
            if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith(("Z", "X")):
                pids.append(int(entry.name))  # zombies are dead already: only their parent's reaping is left
        except (OSError, ValueError, IndexError, KeyError):
            continue
    return pids


# ---------------------------------------------------------------- worker side
def _unshare_network() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def _limit(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass


def enter(scratch: str | None) -> dict:
    """Called by the worker before it imports anything of the student's; returns what is in force."""
    state = {"user": os.getuid(), "network": "shared", "memory_mb": MEMORY_MB}
    drop = wanted()
    if drop and _unshare_network():
        state["network"] = "none (empty network namespace)"
    _limit(resource.RLIMIT_DATA, MEMORY_MB * 2**20)
    _limit(resource.RLIMIT_AS, ADDRESS_MB * 2**20)
    _limit(resource.RLIMIT_FSIZE, FILE_MB * 2**20)
    _limit(resource.RLIMIT_CORE, 0)
    if drop:
        _limit(resource.RLIMIT_NPROC, PROCESSES)
        uid, gid = user_ids()
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        state["user"] = uid
    if scratch:
        os.environ.update(HOME=scratch, TMPDIR=scratch, MPLCONFIGDIR=scratch)
        import tempfile
        tempfile.tempdir = None
    if state["network"] == "shared" and drop:
        _block_sockets()
        state["network"] = "sockets refused in Python (no network namespace available)"
    return state


def _block_sockets() -> None:
    """Fallback when the kernel refuses a network namespace: refuse socket creation in Python."""
    import socket

    def refuse(*args, **kwargs):
        raise PermissionError("network access is not allowed while grading")

    socket.socket = refuse  # type: ignore[assignment]
    socket.create_connection = refuse  # type: ignore[assignment]


def status() -> str:
    if wanted():
        return (f"sandboxed as {USER}, no network, memory {MEMORY_MB} MB, files {FILE_MB} MB, "
                f"processes {PROCESSES}")
    reason = ("not root" if os.geteuid() != 0 else f"no user {USER} (run setup.sh as root)"
              if not available() else "only `python -m autograder run` switches users")
    return f"worker limits only (memory {MEMORY_MB} MB, files {FILE_MB} MB; no user switch: {reason})"


def is_private(path: Path) -> bool:
    """True when ``path`` is not readable by others (used by the self-tests)."""
    return not (path.stat().st_mode & (stat.S_IROTH | stat.S_IXOTH))
