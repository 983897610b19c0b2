"""The mutation score of every exercise, from the reports kept in ``benchmarks/mutation/``.

Reproduce (slow: one pytest start per mutant; resumable, one exercise per report)::

    .venv/bin/python -m autograder check --mutation-only --mutation-limit 30 --resume --jobs 1

then ``.venv/bin/python benchmarks/mutation_table.py``. A report whose solution or tests changed
since it was measured is marked stale.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.mutation import REPORTS, table  # noqa: E402


def main() -> None:
    reports = [json.loads(p.read_text()) for p in sorted(REPORTS.glob("*.json")) if p.name != "equivalent.json"]
    print(table(reports) if reports else "no reports kept yet in benchmarks/mutation/")


if __name__ == "__main__":
    main()
