"""A submission whose code times out again and again, against the honest submission, both graded
through run_autograder in this one run. The target: 10 time-outs cost at most 10 x the call time limit
+ 1 s, i.e. each time-out costs its limit and at most 100 ms more (the worker restart).

conv_arithmetic's reference with five of its functions replaced by endless loops (the reference's other
functions call them too, so the run has more than 10 time-outs; they are counted).

    .venv/bin/python benchmarks/timeouts.py [--call-timeout S]   (default 2 s)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import ROOT  # noqa: E402

LOOPING = ("conv_output_length", "conv1d_output_shape", "conv2d_output_shape", "conv_param_count",
           "maxpool2d_output_shape")


def grade(source: str, env: dict) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "submission").mkdir()
        (Path(tmp) / "submission" / "conv_arithmetic.py").write_text(source)
        began = time.perf_counter()
        subprocess.run([str(ROOT / "run_autograder")], env={**env, "AUTOGRADER_ROOT": tmp}, capture_output=True,
                       check=True)
        return time.perf_counter() - began, json.loads((Path(tmp) / "results" / "results.json").read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--call-timeout", type=float, default=2.0, help="AUTOGRADER_CALL_TIMEOUT (default 2 s)")
    args = parser.parse_args(argv)
    env = dict(os.environ, AUTOGRADER_EXERCISES="conv_arithmetic", AUTOGRADER_CALL_TIMEOUT=f"{args.call_timeout:g}",
               AUTOGRADER_ASSIGNMENT="cnn-foundations")
    honest = (ROOT / "solutions" / "conv_arithmetic.py").read_text()
    looping = honest + "\n\n" + "\n".join(f"def {name}(*args, **kwargs):\n    while True:\n        pass\n"
                                          for name in LOOPING)
    grade(honest, env)   # warm the file cache
    honest_s, _ = grade(honest, env)
    looping_s, doc = grade(looping, env)
    timeouts = sum("did not finish within" in t["output"] for t in doc["tests"])
    extra = (looping_s - honest_s - timeouts * args.call_timeout) / max(timeouts, 1)
    print(f"honest submission: {honest_s:.2f}s; with {timeouts} time-outs of {args.call_timeout:g}s: {looping_s:.2f}s")
    print(f"cost of a time-out beyond its limit: {extra * 1000:.0f} ms (target <= 100 ms, i.e. 10 time-outs within "
          f"+ 10 x the limit + 1 s): {'met' if extra <= 0.1 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
