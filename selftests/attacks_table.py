"""Print what each attack of the catalog got: ``.venv/bin/python -m selftests.attacks_table``."""
from __future__ import annotations

import tempfile
from pathlib import Path

from .test_attacks import ATTACKS, SANDBOXED, run_attack


def main() -> None:
    print(f"sandbox: {'on (root, autograder-student)' if SANDBOXED else 'off (limits only)'}")
    print(f"| attack | exercise | score (honest bound) | time | contained |\n| --- | --- | --- | --- | --- |")
    for attack in ATTACKS:
        with tempfile.TemporaryDirectory() as tmp:
            doc, ctx = run_attack(attack, Path(tmp))
            problems = []
            if attack.needs_sandbox and not SANDBOXED:
                problems.append("needs the sandbox (root, after setup.sh)")
            if doc["score"] > attack.bound + 1e-9:
                problems.append("scored above the honest part")
            if ctx["baseline"] is not None and doc["score"] > ctx["baseline"]["score"] + 1e-9:
                problems.append(f"scored above its baseline ({ctx['baseline']['score']:g})")
            try:
                if attack.check:
                    attack.check(doc, ctx)
            except AssertionError as exc:
                problems.append(str(exc).splitlines()[0][:80])
            print(f"| {attack.name} | {attack.exercises or attack.exercise} | {doc['score']:g} ({attack.bound:g}) | "
                  f"{ctx['seconds']:.0f}s | "
                  f"{'yes' if not problems else 'NO: ' + '; '.join(problems)} |")


if __name__ == "__main__":
    main()
