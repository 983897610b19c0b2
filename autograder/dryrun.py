"""``python -m autograder dry-run SUBMISSION``: grade one submission under Gradescope's defaults.

It builds a throwaway ``/autograder``-like tree (``submission/``, ``results/``), runs
``run_autograder`` on it pinned to one CPU, kills it at Gradescope's overall timeout, and samples
the memory of the whole process tree (grader, pytest, workers: Gradescope counts the container,
each shared page once, libraries included whatever else on the machine maps them).
It prints the time, the peak memory and the score, and says plainly whether the run would fit.

Gradescope's default machine has *half* a vCPU; one CPU is the closest this can pin without
cgroups, so the time is also shown doubled as an estimate for the default setting.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .manifest import ROOT

MEMORY_MB = 768
TIMEOUT_S = 600


def _stat(pid: int) -> tuple[int, bool] | None:
    """(parent pid, whether the process still has its memory) from /proc/PID/stat; None once it is gone.

    A process that exits lets go of its memory (its virtual size reads 0 from then on) and is then a zombie
    (state Z) until its parent reaps it: it is listed under its parent all that while."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), fields[0] not in "ZXx" and int(fields[20]) > 0
    except (OSError, ValueError, IndexError):
        return None


def parent_of(pid: int) -> int | None:
    """The parent pid of a process, from /proc/PID/stat (None once it is gone)."""
    stat = _stat(pid)
    return None if stat is None else stat[0]


def _tree(root_pid: int) -> list[tuple[int, bool]]:
    """(pid, whether it still has its memory) of ``root_pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    alive: dict[int, bool] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(entry.name))
                alive[int(entry.name)] = stat[1]
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append((pid, alive.get(pid, False)))   # the root's state too: it can exit mid-sample like any other
        todo.extend(children.get(pid, []))
    return sorted(out)


_SMAPS = re.compile(r"^(?:[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+) *(.*)|(Rss|Pss|Pss_Dirty|Anonymous): +(\d+) kB)$",
                    re.M)


def _memory_kb(pid: int) -> tuple[int, dict[str, int], int]:
    """(anonymous memory, resident kB per mapped file, resident memory) of one process.

    The run's anonymous pages are shared only among its own processes (the workers are forked from the
    grader), so their proportional shares summed over the run count each page once. A mapped file's
    pages (torch's libraries) are shared with every process on the machine that maps the file too, so
    their proportional share would shrink on a busy machine: a file is counted instead at the largest
    resident size any process of the run has of it, as the run alone would have it in memory. The pages
    of a file mapping that were copied on write (a library's relocated data, ~6.5 MB in a process that
    has imported torch) are anonymous memory, and a forked process shares them with its parent until
    one of them writes one: they count at their proportional share too (Pss_Dirty: every dirty page of
    a private file mapping is such a copy; the kernel writes it before Anonymous). Before Linux 6.0, which
    added Pss_Dirty, at their full size.
    """
    anon, files, rss, name, share = 0, {}, 0, None, None
    try:
        for m in _SMAPS.finditer(Path(f"/proc/{pid}/smaps").read_text()):
            inode, path, key, kb = m.groups()
            if key is None:   # a mapping's header: address perms offset dev inode [path]
                name, share = (path if inode != "0" else None), None
            elif key == "Rss":
                rss += int(kb)
                if name is not None:
                    files[name] = files.get(name, 0) + int(kb)
            elif key == "Pss":
                if name is None:   # anonymous memory (heap, stacks, arenas): its proportional share
                    anon += int(kb)
            elif key == "Pss_Dirty":
                if name is not None:
                    share = int(kb)
            elif name is not None:   # Anonymous: a file mapping's copied-on-write pages
                files[name] -= int(kb)
                anon += int(kb) if share is None else min(share, int(kb))
    except (OSError, ValueError, IndexError):
        pass
    return anon, files, rss


def memory_kb(pids: list[int]) -> tuple[int, int]:
    """(the memory of these processes together, their resident sizes summed) in kB (see _memory_kb)."""
    anon, files, rss = 0, {}, 0
    for p in pids:
        a, f, r = _memory_kb(p)
        anon, rss = anon + a, rss + r
        for name, kb in f.items():
            files[name] = max(files.get(name, 0), kb)
    return anon + sum(files.values()), rss


def tree_memory_kb(root_pid: int, tries: int = 10) -> tuple[int, int] | None:
    """memory_kb of ``root_pid`` and all its descendants, read while none of them started or ended; None
    when every one of ``tries`` attempts saw one start or end.

    The processes are read one after another, and a fork or an exit between two reads changes how many
    processes map a page: the shares read before it and after it then do not add up to the page (with a
    process forking a short-lived child every 20 ms, samples ranged from 100 MB under to 35 MB over the
    right figure). So the tree is listed again after the reads, and the sample taken again when it changed: when
    a process started, ended, or let go of its memory (an exited process stays listed, a zombie, until its parent
    reaps it; on a loaded machine that can take a while)."""
    for _ in range(tries):
        tree = _tree(root_pid)
        got = memory_kb([pid for pid, _ in tree])
        if _tree(root_pid) == tree:
            return got
    return None


class MemorySampler(threading.Thread):
    """Peaks of the memory of a process and all its descendants: each anonymous page once, each mapped
    file at its largest resident size in any of them (see _memory_kb), and the resident sizes summed.
    A sample that saw a process of the tree start or end on each of its attempts is dropped (see
    tree_memory_kb): its figure could be tens of MB off either way."""

    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_kb, self.peak_rss_kb = pid, every, 0, 0
        self.samples = self.dropped = 0   # dropped: processes kept starting and ending while it read them
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            got = tree_memory_kb(self.pid)
            if got is None:
                self.dropped += 1
            else:
                self.samples += 1
                self.peak_kb, self.peak_rss_kb = max(self.peak_kb, got[0]), max(self.peak_rss_kb, got[1])
            self._done.wait(self.every)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak_kb


def stage(submission: Path, root: Path) -> None:
    target = root / "submission"
    if submission.is_dir():
        shutil.copytree(submission, target)
    else:
        target.mkdir(parents=True)
        shutil.copy(submission, target / submission.name)
    (root / "results").mkdir(parents=True, exist_ok=True)


def dry_run(submission: Path, memory_mb: int = MEMORY_MB, timeout: float = TIMEOUT_S, cpus: int = 1,
            assignment: str | None = None) -> dict:
    if not submission.exists():
        raise SystemExit(f"dry-run: {submission} does not exist")
    root = Path(tempfile.mkdtemp(prefix="dry-run-"))
    try:
        stage(submission, root)
        env = dict(os.environ, AUTOGRADER_ROOT=str(root))
        if assignment:
            env["AUTOGRADER_ASSIGNMENT"] = assignment
        cores = sorted(os.sched_getaffinity(0))[:cpus]
        began = time.monotonic()
        proc = subprocess.Popen([str(ROOT / "run_autograder")], cwd=root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=lambda: os.sched_setaffinity(0, cores))
        sampler = MemorySampler(proc.pid)
        sampler.start()
        killed = False
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            log, _ = proc.communicate()
            killed = True
        seconds = time.monotonic() - began
        peak_mb = sampler.stop() / 1024
        peak_rss_mb = sampler.peak_rss_kb / 1024
        path = root / "results" / "results.json"
        doc = json.loads(path.read_text()) if path.is_file() else None
        return {"seconds": seconds, "peak_mb": peak_mb, "peak_rss_mb": peak_rss_mb, "killed": killed, "results": doc,
                "cpus": len(cores), "memory_mb": memory_mb, "timeout": timeout, "log": log.decode("utf-8", "replace"),
                "samples": sampler.samples, "dropped": sampler.dropped}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def report(run: dict) -> str:
    doc = run["results"] or {}
    total = sum(t.get("max_score", 0) for t in doc.get("tests", []))
    by_ex: dict[str, list[float]] = {}
    for t in doc.get("tests", []):
        ex = (t.get("extra_data") or {}).get("exercise", "?")
        got, full = by_ex.setdefault(ex, [0.0, 0.0])
        by_ex[ex] = [got + t.get("score", 0), full + t.get("max_score", 0)]
    lines = [f"dry run on {run['cpus']} CPU, Gradescope defaults: {run['memory_mb']} MB, {run['timeout']:g} s",
             f"  wall time      {run['seconds']:7.1f} s   (x2 for the default half vCPU: ~{2 * run['seconds']:.0f} s)",
             f"  peak memory    {run['peak_mb']:7.0f} MB  (all processes of the run: pages they share once, libraries at "
             f"their full resident size; the resident sizes summed: {run.get('peak_rss_mb', run['peak_mb']):.0f} MB)",
             f"  score          {doc.get('score', 0):g} / {total:g}"]
    if run.get("dropped"):
        lines.insert(-1, f"                 {run['dropped']} of {run['dropped'] + run['samples']} memory samples were "
                         "dropped (processes of the run kept starting or ending while they were read): the peak of "
                         "a dropped moment is not in the figure")
    lines += [f"    {ex:<20} {got:6.2f} / {full:g}" for ex, (got, full) in by_ex.items()]
    verdict = []
    if run["killed"]:
        verdict.append(f"it did NOT finish within {run['timeout']:g} s: Gradescope would give 0 with no results")
    elif run["results"] is None:
        verdict.append("it wrote no results.json")
    if run["peak_mb"] > run["memory_mb"]:
        verdict.append(f"its memory ({run['peak_mb']:.0f} MB) is above {run['memory_mb']} MB: Gradescope would kill it "
                       "(raise the memory in the assignment's autograder settings)")
    elif run["peak_mb"] > 0.9 * run["memory_mb"]:
        verdict.append(f"its memory ({run['peak_mb']:.0f} MB) is within 10% of {run['memory_mb']} MB: a submission "
                       "that allocates more could get the whole run killed; give the assignment 1.5 GB or more")
    if 2 * run["seconds"] > run["timeout"]:
        verdict.append("at half a vCPU it may not fit the timeout: raise it or shrink the assignment")
    lines.append("  verdict        " + ("; ".join(verdict) if verdict else "fits Gradescope's defaults"))
    return "\n".join(lines)
