"""The assignment manifest (``assignments.toml``): exercises and points per assignment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = "assignments.toml"


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class Assignment:
    name: str
    title: str
    exercises: dict[str, float]   # in manifest order
    worker_imports: tuple[str, ...] = ()   # imported once before the workers are forked (see seam.start_fork_server)
    run_first: tuple[str, ...] = ()   # graded before the others, in this order (the rest: manifest order)

    @property
    def total(self) -> float:
        return sum(self.exercises.values())

    def index(self, exercise: str) -> int:
        return list(self.exercises).index(exercise) + 1

    def run_position(self, exercise: str) -> int:
        """Where ``exercise`` is graded in a run: the ``run_first`` ones first, then the rest in manifest
        order. Only the order the tests run in: results keep theirs (see plugin.pytest_collection_modifyitems)."""
        first = [e for e in self.run_first if e in self.exercises]
        if exercise in first:
            return first.index(exercise) + 1
        return len(first) + self.index(exercise)


def load(root: Path = ROOT, name: str | None = None) -> Assignment:
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise ManifestError(f"{path} not found")
    data = tomllib.loads(path.read_text())
    table = data.get("assignments") or {}
    name = name or os.environ.get("AUTOGRADER_ASSIGNMENT") or data.get("default")
    if not name and len(table) == 1:
        name = next(iter(table))
    if name not in table:
        raise ManifestError(f"assignment {name!r} is not in {MANIFEST} (known: {', '.join(table) or 'none'})")
    entry = table[name]
    exercises = entry.get("exercises")
    if not isinstance(exercises, dict) or not exercises:
        raise ManifestError(f"assignment {name!r} lists no exercises")
    for ex, pts in exercises.items():
        if not isinstance(pts, (int, float)) or isinstance(pts, bool) or pts <= 0:
            raise ManifestError(f"assignment {name!r}: points for {ex!r} must be a positive number")
    worker_imports = entry.get("worker_imports", [])
    if not (isinstance(worker_imports, list) and all(isinstance(m, str) and m for m in worker_imports)):
        raise ManifestError(f"assignment {name!r}: worker_imports must be a list of module names")
    run_first = entry.get("run_first", [])
    if not (isinstance(run_first, list) and all(isinstance(e, str) for e in run_first)):
        raise ManifestError(f"assignment {name!r}: run_first must be a list of exercise names")
    unknown = [e for e in run_first if e not in exercises]
    if unknown or len(set(run_first)) != len(run_first):
        raise ManifestError(f"assignment {name!r}: run_first must name each of its exercises at most once "
                            f"(not in its exercises: {', '.join(unknown) or 'none'})")
    only = [e.strip() for e in os.environ.get("AUTOGRADER_EXERCISES", "").split(",") if e.strip()]
    if only:  # grade part of an assignment (a dry run of one exercise, the harness's self-tests)
        unknown = [e for e in only if e not in exercises]
        if unknown:
            raise ManifestError(f"AUTOGRADER_EXERCISES names {', '.join(unknown)}, not in assignment {name!r}")
        exercises = {e: p for e, p in exercises.items() if e in only}
    return Assignment(name=name, title=str(entry.get("title", name)), exercises=dict(exercises),
                      worker_imports=tuple(worker_imports), run_first=tuple(run_first))


def all_assignments(root: Path = ROOT) -> list[Assignment]:
    data = tomllib.loads((Path(root) / MANIFEST).read_text())
    return [load(root, n) for n in data.get("assignments", {})]


def all_exercises(root: Path = ROOT) -> list[str]:
    """Every exercise the manifest lists, in any assignment (AUTOGRADER_EXERCISES does not apply)."""
    data = tomllib.loads((Path(root) / MANIFEST).read_text())
    names: list[str] = []
    for entry in (data.get("assignments") or {}).values():
        exercises = entry.get("exercises") if isinstance(entry, dict) else None
        names += [e for e in (exercises or {}) if e not in names]
    return names


def assignment_of(exercise: str, root: Path = ROOT) -> Assignment:
    """The assignment that lists ``exercise`` (the first one, in manifest order)."""
    for spec in all_assignments(root):
        if exercise in spec.exercises:
            return spec
    raise ManifestError(f"exercise {exercise!r} is in no assignment of {MANIFEST}")
