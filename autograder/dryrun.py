"""``python -m autograder dry-run SUBMISSION``: grade one submission under Gradescope's defaults.

It builds a throwaway ``/autograder``-like tree (``submission/``, ``results/``), runs
``run_autograder`` on it pinned to one CPU, kills it at Gradescope's overall timeout, and samples
the memory of the whole process tree (grader, pytest, workers: Gradescope counts the container,
each shared page once).
It prints the time, the peak memory and the score, and says plainly whether the run would fit.

Gradescope's default machine has *half* a vCPU; one CPU is the closest this can pin without
cgroups, so the time is also shown doubled as an estimate for the default setting.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .manifest import ROOT

MEMORY_MB = 768
TIMEOUT_S = 600


def _tree(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    """(proportional, resident) memory of one process in kB.

    Resident memory counts a shared page (torch's libraries, mapped by the grader and the worker) in
    every process that maps it; the proportional share (Pss) splits it among them, so summed over the
    run it counts each page once, as a container's memory limit does. Pss is 0 where the kernel does
    not report it.
    """
    pss = rss = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return pss, rss


class MemorySampler(threading.Thread):
    """Peaks of the summed proportional and resident memory of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_kb, self.peak_rss_kb = pid, every, 0, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            sizes = [_memory_kb(p) for p in _tree(self.pid)]
            pss, rss = sum(s[0] for s in sizes), sum(s[1] for s in sizes)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_kb = max(self.peak_kb, pss or rss)
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
        return {"seconds": seconds, "peak_mb": peak_mb, "peak_rss_mb": peak_rss_mb, "killed": killed, "results": doc, "cpus": len(cores),
                "memory_mb": memory_mb, "timeout": timeout, "log": log.decode("utf-8", "replace")}
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
             f"  peak memory    {run['peak_mb']:7.0f} MB  (all processes of the run, shared pages counted once; "
             f"their resident sizes summed: {run.get('peak_rss_mb', run['peak_mb']):.0f} MB)",
             f"  score          {doc.get('score', 0):g} / {total:g}"]
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
