"""Command line: python -m autograder {regenerate,build,run,dry-run,grade,check,test}."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from .manifest import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("regenerate", help="rewrite exercises/ and tests/keys/ from solutions/")
    p.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any (default: write)")

    p = sub.add_parser("build", help="write dist/student.zip and dist/autograder.zip")
    p.add_argument("--assignment", default=None, help="assignment from assignments.toml (default: its `default`)")
    p.add_argument("--out", default=str(ROOT / "dist"), help="output folder (default: dist/)")

    p = sub.add_parser("run", help="grade one submission the Gradescope way (what run_autograder calls)")
    p.add_argument("--root", default=None, help="the /autograder tree (default: $AUTOGRADER_ROOT or /autograder)")
    p.add_argument("--assignment", default=None, help="assignment (default: the manifest's `default`)")

    p = sub.add_parser("finish", help="(internal) the last step of `run`: results.json once pytest has ended")
    p.add_argument("plan", help="the plan `run` left in its private folder")
    p.add_argument("code", type=int, help="pytest's exit code (-N: killed by signal N)")
    p.add_argument("timed_out", type=int, choices=(0, 1), help="1: killed at the run's time budget")

    p = sub.add_parser("dry-run", help="grade one submission under Gradescope's defaults (memory, timeout, CPU) "
                                       "and say whether it fits")
    p.add_argument("submission", help="a file, folder or zip as a student would upload it")
    p.add_argument("--assignment", default=None, help="assignment (default: the manifest's `default`)")
    p.add_argument("--memory-mb", type=int, default=768, help="Gradescope's memory limit (default 768)")
    p.add_argument("--timeout", type=float, default=600, help="Gradescope's overall timeout in s (default 600)")
    p.add_argument("--cpus", type=int, default=1, help="CPUs to pin the run to (default 1)")
    p.add_argument("--log", action="store_true", help="also print the run's log")

    p = sub.add_parser("grade", help="grade many submissions in parallel: CSV, JSON and a summary")
    p.add_argument("submissions", nargs="+", help="folders of submission folders, zips or notebooks, Gradescope's "
                                                  "export folder, single submission folders, zips or notebooks")
    p.add_argument("--out", default="batch-results", help="output folder (default: batch-results/)")
    p.add_argument("--jobs", type=int, default=None, help="parallel gradings (default: the number of cores)")
    p.add_argument("--force", action="store_true", help="re-grade everything, ignoring the cache")
    p.add_argument("--timeout", type=float, default=900, help="wall-time limit per submission in s (default 900)")
    p.add_argument("--assignment", default=None, help="assignment (default: the manifest's `default`)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--written", action="store_true", help="also write written.html: every submission's written "
                                                          "answers (from notebooks), grouped per question")

    p = sub.add_parser("check", help="grader quality report: references, stubs, mutants, alternatives")
    p.add_argument("--exercise", action="append", default=None,
                   help="only this exercise (repeatable; default: every exercise in solutions/)")
    p.add_argument("--jobs", type=int, default=None, help="parallel cases (default: the number of cores)")
    p.add_argument("--mutation", action="store_true",
                   help="also run cosmic-ray mutation testing of solutions/ against the grading tests (slow)")
    p.add_argument("--mutation-limit", type=int, default=0,
                   help="with --mutation: at most N mutants per exercise, evenly spaced (default: all)")
    p.add_argument("--resume", action="store_true",
                   help="with --mutation: keep the reports in benchmarks/mutation/ that still match the code")
    p.add_argument("--mutation-only", action="store_true",
                   help="run only the mutation testing, not the catalogued cases")

    p = sub.add_parser("test", help="run the grading tests on a folder of modules (default: solutions/)")
    p.add_argument("--submission", default=str(ROOT / "solutions"), help="folder to grade (default: solutions/)")
    p.add_argument("--worker", action="store_true", help="run student code in a worker process")
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")

    args = parser.parse_args(argv)
    if args.command == "regenerate":
        from . import regenerate

        if args.check:
            stale = regenerate.stale(ROOT)
            for name in stale:
                print(f"stale: {name}")
            if stale:
                print("run `python -m autograder regenerate` to update them", file=sys.stderr)
                return 1
            print("exercises/ and tests/keys/ are up to date with solutions/")
            return 0
        for name in regenerate.regenerate(ROOT):
            print(f"wrote {name}")
        return 0
    if args.command == "build":
        from . import build

        for path in build.build(Path(args.out), args.assignment):
            print(f"wrote {path}")
        if (Path(args.out) / "student.ipynb").is_file():
            print(f"wrote {Path(args.out) / 'student.ipynb'}")
        return 0
    if args.command == "run":
        from . import gradescope

        doc = gradescope.run(Path(args.root) if args.root else None, assignment=args.assignment)
        return _score_line(doc)
    if args.command == "finish":
        from . import gradescope

        return _score_line(gradescope.finish(Path(args.plan), args.code, bool(args.timed_out)))
    if args.command == "dry-run":
        from . import dryrun

        result = dryrun.dry_run(Path(args.submission), args.memory_mb, args.timeout, args.cpus, args.assignment)
        if args.log:
            print(result["log"])
        print(dryrun.report(result))
        return 0 if result["results"] is not None and not result["killed"] else 1
    if args.command == "grade":
        from . import batch

        batch.grade_all([Path(p) for p in args.submissions], Path(args.out), args.jobs, args.force,
                        args.timeout, args.assignment, progress=not args.no_progress, written=args.written)
        return 0
    if args.command == "check":
        from . import quality

        return quality.main(args.exercise, args.jobs, args.mutation or args.mutation_only, args.mutation_limit,
                            resume=args.resume, only_mutation=args.mutation_only)
    if args.command == "test":
        cmd = [sys.executable, "-m", "pytest", "tests", "--submission", args.submission,
               *(["--worker"] if args.worker else []), *args.pytest_args]
        return subprocess.call(cmd, cwd=ROOT)
    return 2


def _score_line(doc: dict) -> int:
    total = sum(t.get("max_score", 0) for t in doc.get("tests", []))
    print(f"\nscore {doc.get('score', 0):g} / {total:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
