"""Batch grading: ``python -m autograder grade SUBMISSIONS... [--out DIR] [--jobs N] [--force]``.

Each submission is graded by its own ``python -m autograder run`` subprocess (what
``run_autograder`` calls) in its own temporary AUTOGRADER_ROOT, so it is isolated exactly as
on Gradescope. Submissions run in parallel (``--jobs``, default: the number of cores); one
that hangs is killed with all its processes after ``--timeout`` seconds and recorded as a
failure row. Results are cached in ``OUT/cache`` keyed by a hash of the submission's files and
a hash of the grader (tests/, solutions/, autograder/, assignments.toml), so a second run
re-grades only what changed (``--force`` re-grades everything).

Writes ``OUT/grades.csv`` (one row per submission: id, name, email, one column per exercise,
total, status), ``OUT/results.json`` (every test of every submission) and ``OUT/summary.txt``
(also printed).
"""
from __future__ import annotations

import collections
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import manifest, results, sandbox, uploads
from .manifest import ROOT

GRADER_PARTS = ("tests", "solutions", "autograder", "assignments.toml")
SKIP = {"__pycache__", ".git", ".venv", "__MACOSX", ".pytest_cache", ".hypothesis"}
METADATA = "submission_metadata.yml"


@dataclass
class Submission:
    id: str
    path: Path                      # a folder or a .zip
    name: str = ""
    email: str = ""
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- discovery

def parse_metadata(text: str) -> dict[str, dict[str, str]]:
    """A tiny parser for Gradescope's ``submission_metadata.yml`` (no PyYAML needed).

    Returns ``{top-level key: {"name": ..., "email": ...}}`` from the first submitter of each
    entry (several submitters of a group are joined with "; "). A per-folder file without
    top-level submission keys comes back under the key ``""``.
    """
    out: dict[str, dict[str, list[str]]] = {}
    key = ""
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        line = raw.strip()
        if indent == 0 and line.endswith(":") and not line.startswith(":"):
            key = line[:-1].strip().strip("'\"")
            continue
        line = line.removeprefix("- ").strip()
        m = re.match(r":?(name|email|get_email|sid):\s*(.*)$", line)
        if m:
            field_ = "email" if m.group(1) in ("email", "get_email") else m.group(1)
            value = m.group(2).strip().strip("'\"")
            if value:
                out.setdefault(key, {}).setdefault(field_, []).append(value)
    return {k: {f: "; ".join(v) for f, v in d.items()} for k, d in out.items()}


def _looks_like_one_submission(folder: Path) -> bool:
    return (folder / "exercises").is_dir() or any(p.suffix == ".py" for p in folder.iterdir() if p.is_file())


def discover(paths: list[Path]) -> list[Submission]:
    """Submissions in each argument: a .zip, a submission folder, a folder of folders or zips,
    or Gradescope's export (folders ``submission_<id>`` and ``submission_metadata.yml``)."""
    found: list[Submission] = []
    for path in paths:
        path = Path(path)
        if path.is_file() and path.suffix in (".zip", ".ipynb"):
            found.append(Submission(path.stem, path))
            continue
        if not path.is_dir():
            raise FileNotFoundError(f"{path}: not a folder, a .zip or an .ipynb")
        in_export = (path.parent / METADATA).is_file()   # one submission_<id> folder of an export
        if (in_export or _looks_like_one_submission(path)) and not (path / METADATA).is_file():
            sub = Submission(path.name, path)
            if in_export:
                info = parse_metadata((path.parent / METADATA).read_text(errors="replace")).get(path.name, {})
                sub.name, sub.email = info.get("name", ""), info.get("email", "")
            found.append(sub)
            continue
        meta = parse_metadata((path / METADATA).read_text(errors="replace")) if (path / METADATA).is_file() else {}
        for child in sorted(path.iterdir()):
            if child.name in SKIP or child.name.startswith("."):
                continue
            if child.is_file() and child.suffix in (".zip", ".ipynb"):   # a folder of zips or notebooks
                sub = Submission(child.stem, child)
            elif child.is_dir():
                sub = Submission(child.name, child)
                if (child / METADATA).is_file():     # a per-submission metadata file
                    own = parse_metadata((child / METADATA).read_text(errors="replace"))
                    info = own.get(child.name) or own.get("") or next(iter(own.values()), {})
                    sub.name, sub.email = info.get("name", ""), info.get("email", "")
            else:
                continue
            info = meta.get(sub.id, {})
            sub.name = sub.name or info.get("name", "")
            sub.email = sub.email or info.get("email", "")
            found.append(sub)
    ids = collections.Counter(s.id for s in found)
    for s in found:  # the same folder name under two arguments: keep rows apart
        if ids[s.id] > 1:
            s.id = f"{s.path.parent.name}/{s.id}"
    return found


# ---------------------------------------------------------------- hashing and cache

def _hash_tree(h, base: Path, skip_meta: bool = False) -> None:
    if base.is_file():
        h.update(base.name.encode() + b"\0" + base.read_bytes())
        return
    for p, rel, problem in sorted(uploads.walk(base, SKIP)):   # links are hashed by their text, never followed
        if skip_meta and p.name == METADATA:
            continue
        data = os.readlink(p).encode() if p.is_symlink() else b"" if problem else p.read_bytes()
        h.update(rel.encode() + b"\0" + data + b"\0")


def submission_hash(sub: Submission) -> str:
    h = hashlib.sha256()
    _hash_tree(h, sub.path, skip_meta=True)
    return h.hexdigest()


def grader_hash(source: Path = ROOT, assignment: str | None = None) -> str:
    h = hashlib.sha256()
    for part in GRADER_PARTS:
        if (source / part).exists():
            _hash_tree(h, source / part)
    h.update(f"{assignment}|{os.environ.get('AUTOGRADER_EXERCISES', '')}".encode())
    return h.hexdigest()


# ---------------------------------------------------------------- grading one

def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = collections.defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            ppid = int(text.rsplit(")", 1)[1].split()[1])
            children[ppid].append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def kill_tree(pid: int) -> None:
    """Kill a process, its process group and every descendant (the run starts pytest in a
    session of its own, and pytest a worker in another)."""
    for target in [pid, *_descendants(pid)]:
        for kill in (lambda t: os.killpg(t, signal.SIGKILL), lambda t: os.kill(t, signal.SIGKILL)):
            try:
                kill(target)
            except (ProcessLookupError, PermissionError, OSError):
                pass


def _sweep_run(run_id: str) -> None:
    # the killed run had turned the sandbox on (unless AUTOGRADER_SANDBOX=0): sweep as it would have
    sandbox.sweep(run_id, on=os.environ.get("AUTOGRADER_SANDBOX", "1") != "0")


def grade_one(sub: Submission, timeout: float, assignment: str | None = None, source: Path = ROOT,
              env: dict | None = None) -> dict:
    """Grade one submission in a fresh AUTOGRADER_ROOT with ``python -m autograder run``."""
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="batch-"))
    try:
        # the run's own scratch folder goes under root too, so a killed run leaves nothing behind;
        # the sandboxed worker must be able to pass through to its part of it, as under /tmp
        scratch = root / "tmp"
        scratch.mkdir()
        for folder in (root, scratch):
            folder.chmod(0o711)
        dest = root / "submission"
        if sub.path.is_file():
            dest.mkdir(parents=True)
            shutil.copyfile(sub.path, dest / sub.path.name)
        else:
            # Never follow a link in a student's folder (it could point anywhere on this machine):
            # links are copied as links, and the run refuses them with a message that names them.
            uploads.copy_tree(sub.path, dest, skip={*SKIP, METADATA})
        cmd = [sys.executable, "-m", "autograder", "run", "--root", str(root),
               *(["--assignment", assignment] if assignment else [])]
        run_id = f"batch-{os.getpid()}-{time.time_ns()}"
        proc = subprocess.Popen(cmd, cwd=source, env={**os.environ, **(env or {}), "AUTOGRADER_ROOT": str(root),
                                                    "TMPDIR": str(scratch), "AUTOGRADER_RUN_ID": run_id},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        reason = ""
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(proc.pid)
            log, _ = proc.communicate()
            _sweep_run(run_id)
            reason = f"batch grading killed it after its {timeout:g}s wall-time limit"
        path = root / "results" / "results.json"
        doc = None
        if not reason and path.is_file():
            try:
                doc = json.loads(path.read_text())
            except ValueError as exc:
                reason = f"results.json unreadable ({exc})"
        if doc is None:
            reason = reason or f"the grading process wrote no results (exit code {proc.returncode})"
            doc = results.failure(reason)
            doc["_log"] = log.decode("utf-8", "replace")[-5000:]
        doc["_batch_failure"] = reason
        doc["_seconds"] = round(time.monotonic() - started, 3)
        return doc
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- reports

def written_report(subs: list[Submission], docs: dict[str, dict]) -> str:
    """One HTML page for the graders: per written question, every submission's answer."""
    import html

    from .notebook import safe_html

    questions: dict[str, str] = {}
    by_question: dict[str, list[tuple[Submission, str]]] = {}
    for s in subs:
        for a in (docs[s.id].get("extra_data") or {}).get("written", []):
            qid = str(a.get("id", "?"))
            questions.setdefault(qid, str(a.get("question", "")))
            by_question.setdefault(qid, []).append((s, str(a.get("answer", ""))))
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Written answers</title><style>"
             "section.answer{border-left:3px solid #ccc;margin:8px 0 16px;padding-left:12px}</style></head><body>",
             f"<h1>Written answers ({len(subs)} submissions)</h1>"]
    if not by_question:
        parts.append("<p>No submission had written answers (they come from notebook submissions).</p>")
    for qid in sorted(by_question):
        parts.append(f"<h2>{html.escape(qid)}</h2>{safe_html(questions[qid])}")
        for s, answer in by_question[qid]:
            who = " ".join(x for x in (s.id, s.name and f"({s.name})") if x)
            parts.append(f"<section class='answer'><h4>{html.escape(who)}</h4>"
                         f"{safe_html(answer) if answer.strip() else '<em>(no answer)</em>'}</section>")
    parts.append("</body></html>\n")
    return "".join(parts)


def exercise_scores(doc: dict, exercises: list[str]) -> dict[str, float]:
    scores = dict.fromkeys(exercises, 0.0)
    for t in doc.get("tests", []):
        ex = (t.get("extra_data") or {}).get("exercise")
        if ex in scores:
            scores[ex] += float(t.get("score", 0))
    return {k: round(v, 6) for k, v in scores.items()}


def status_of(doc: dict) -> str:
    if doc.get("_batch_failure"):
        return "failed: " + doc["_batch_failure"]
    if any(t.get("name") == "Autograder failed" for t in doc.get("tests", [])):
        return "failed: " + str(doc.get("output", "")).splitlines()[0][:200] if doc.get("output") else "failed"
    return "ok"


HINT_RE = re.compile(r"Hint: (.+)")


def summarize(rows: list[dict], docs: dict[str, dict], spec: manifest.Assignment, top: int = 10) -> str:
    lines = [f"Graded {len(rows)} submission(s) for {spec.name}; "
             f"{sum(r['status'] != 'ok' for r in rows)} grading failure(s).", ""]
    cols = [*spec.exercises, "total"]
    maxes = {**spec.exercises, "total": spec.total}
    lines.append(f"{'exercise':<20} {'max':>6} {'mean':>7} {'median':>7}  distribution (0 | <50% | <100% | full)")
    for col in cols:
        vals = [float(r[col]) for r in rows]
        full = maxes[col]
        if not vals:
            continue
        buckets = [sum(v == 0 for v in vals), sum(0 < v < full / 2 for v in vals),
                   sum(full / 2 <= v < full for v in vals), sum(v >= full for v in vals)]
        lines.append(f"{col:<20} {full:>6g} {statistics.mean(vals):>7.2f} {statistics.median(vals):>7.2f}  "
                     + " | ".join(str(b) for b in buckets))
    failing: collections.Counter = collections.Counter()
    hints: collections.Counter = collections.Counter()
    for doc in docs.values():
        seen_hints = set()
        for t in doc.get("tests", []):
            if t.get("max_score", 0) > 0 and t.get("score", 0) < t.get("max_score", 0):
                failing[t.get("name", "?")] += 1
                seen_hints.update(m.strip() for m in HINT_RE.findall(t.get("output", "")))
        hints.update(seen_hints)
    lines += ["", f"Most common failing tests (submissions failing each, top {top}):"]
    lines += [f"  {n:>4}  {name}" for name, n in failing.most_common(top)] or ["  none"]
    lines += ["", f"Most common hints (submissions shown each, top {top}):"]
    lines += [f"  {n:>4}  {hint[:160]}" for hint, n in hints.most_common(top)] or ["  none"]
    failed = [r for r in rows if r["status"] != "ok"]
    if failed:
        lines += ["", "Grading failures:"] + [f"  {r['submission']}: {r['status']}" for r in failed]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the command

def grade_all(paths: list[Path], out: Path, jobs: int | None = None, force: bool = False,
              timeout: float = 900.0, assignment: str | None = None, progress: bool = True,
              written: bool = False) -> dict:
    """Grade every submission found in ``paths``; write the reports to ``out``; return counts."""
    from . import sandbox

    spec = manifest.load(ROOT, assignment)
    subs = discover([Path(p) for p in paths])
    out = Path(out)
    cache = out / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    ghash = grader_hash(ROOT, spec.name)
    jobs = max(1, jobs or os.cpu_count() or 1)
    keys = {s.id: hashlib.sha256((submission_hash(s) + ghash).encode()).hexdigest()[:32] for s in subs}
    docs: dict[str, dict] = {}
    todo = []
    for s in subs:
        hit = cache / f"{keys[s.id]}.json"
        if hit.is_file() and not force:
            docs[s.id] = json.loads(hit.read_text())
        else:
            todo.append(s)
    # Each run kills only its own leftover processes (by AUTOGRADER_RUN_ID), so runs side by side
    # leave each other alone; a run killed at its time limit is swept here.
    env: dict = {}
    started = time.monotonic()
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="sub", desc="grading", file=sys.stderr, dynamic_ncols=True)
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(grade_one, s, timeout, spec.name, ROOT, env): s for s in todo}
            for fut in as_completed(futures):
                s = futures[fut]
                try:
                    doc = fut.result()
                except Exception as exc:  # a broken copy or temp dir: still a row
                    doc = results.failure(f"batch grading could not run it: {type(exc).__name__}: {exc}")
                    doc["_batch_failure"] = f"{type(exc).__name__}: {exc}"
                docs[s.id] = doc
                (cache / f"{keys[s.id]}.json").write_text(json.dumps(doc))
                if bar:
                    bar.update(1)
    finally:
        if bar:
            bar.close()
    elapsed = time.monotonic() - started

    rows = []
    exercises = list(spec.exercises)
    for s in subs:
        doc = docs[s.id]
        scores = exercise_scores(doc, exercises)
        rows.append({"submission": s.id, "name": s.name, "email": s.email, **scores,
                     "total": round(sum(scores.values()), 6), "status": status_of(doc)})
    with open(out / "grades.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["submission", "name", "email", *exercises, "total", "status"])
        writer.writeheader()
        writer.writerows(rows)
    graded = {s.id for s in todo}
    full = {"assignment": spec.name, "exercises": spec.exercises, "grader_hash": ghash,
            "submissions": [{"submission": s.id, "name": s.name, "email": s.email, "path": str(s.path),
                             "cached": s.id not in graded, "seconds": docs[s.id].get("_seconds"),
                             "status": r["status"], "scores": {e: r[e] for e in exercises}, "total": r["total"],
                             "tests": docs[s.id].get("tests", [])} for s, r in zip(subs, rows)]}
    (out / "results.json").write_text(json.dumps(full, indent=1))
    text = summarize(rows, docs, spec)
    text += (f"\n{len(todo)} graded in {elapsed:.1f}s with {jobs} job(s), {len(subs) - len(todo)} from the cache"
             f"{f' ({len(todo) / elapsed * 60:.1f} submissions/minute)' if todo and elapsed > 0 else ''}.\n")
    (out / "summary.txt").write_text(text)
    if written:
        (out / "written.html").write_text(written_report(subs, docs))
        folder = out / "written"   # one file per student, for uploading to a manual question
        folder.mkdir(exist_ok=True)
        for s in subs:
            text = (docs[s.id].get("extra_data") or {}).get("written_answers")
            if text:
                (folder / f"{s.id.replace('/', '_')}.md").write_text(text)
        text += f"Written answers of every submission, per question: {out / 'written.html'}\n"
    print(text, end="")
    return {"graded": len(todo), "cached": len(subs) - len(todo), "seconds": elapsed, "rows": rows}
