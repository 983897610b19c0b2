"""solutions/ -> exercises/ (stubs) and tests/keys/ (hashed answer keys).

A solution module marks each answer with a block inside a function::

    # BEGIN SOLUTION
    ...reference code...
    # END SOLUTION

In the stub the block becomes ``raise NotImplementedError(...)`` naming the function;
everything outside the markers is copied unchanged, so a stub and its solution share
signatures and docstrings. Blocks must sit inside a function.

Functions named ``answer_*`` that take no arguments are by-hand answers. Their keys,
``tests/keys/<exercise>.json``, hold the SHA-256 of each answer's canonical form (see
:func:`autograder.checks.canonical`) and of the wrong answers that the catalogued
misconceptions give (``selftests/mutants/<exercise>/*.py``, each with a ``HINT`` and, to
limit it to some parts, ``KEY_PARTS``), and of every reordering of a tuple answer (hint id
``axis_order``), so a
public test can say "wrong, and here is the likely reason" without holding the answer.
"""
from __future__ import annotations

import ast
import itertools
import json
import sys
import types
from pathlib import Path

from . import checks
from .manifest import ROOT

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"


class MarkerError(ValueError):
    pass


def make_stub(source: str, module: str) -> str:
    tree = ast.parse(source)
    funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    lines = source.splitlines(keepends=True)
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == BEGIN:
            lineno = i + 1
            owner = [f for f in funcs if f.lineno <= lineno <= (f.end_lineno or f.lineno)]
            if not owner:
                raise MarkerError(f"{module}.py:{lineno}: a solution block must be inside a function")
            func = max(owner, key=lambda f: f.lineno).name
            indent = line[: len(line) - len(line.lstrip())]
            j = i + 1
            while j < len(lines) and lines[j].strip() != END:
                if lines[j].strip() == BEGIN:
                    raise MarkerError(f"{module}.py:{j + 1}: nested {BEGIN}")
                j += 1
            if j == len(lines):
                raise MarkerError(f"{module}.py:{lineno}: {BEGIN} without {END}")
            out.append(f'{indent}raise NotImplementedError("{func}: replace this line with your solution '
                       f'(the docstring above says what to return)")\n')
            i = j + 1
            continue
        if line.strip() == END:
            raise MarkerError(f"{module}.py:{i + 1}: {END} without {BEGIN}")
        out.append(line)
        i += 1
    stub = "".join(out)
    ast.parse(stub)  # a stub must import
    return stub


def load_source(source: str, name: str) -> types.ModuleType:
    """Execute trusted instructor code (a solution, or a solution with a mutant) as a module."""
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    finally:
        sys.modules.pop(name, None)
    return module


def mutant_sources(root: Path, exercise: str) -> list[tuple[str, str]]:
    folder = root / "selftests" / "mutants" / exercise
    return [(p.stem, p.read_text()) for p in sorted(folder.glob("*.py"))] if folder.is_dir() else []


def alternative_sources(root: Path, exercise: str) -> list[tuple[str, str]]:
    folder = root / "selftests" / "alternatives" / exercise
    return [(p.stem, p.read_text()) for p in sorted(folder.glob("*.py"))] if folder.is_dir() else []


def patched(solution: str, patch: str) -> str:
    """A solution with later definitions that replace some of its functions."""
    return solution.rstrip() + "\n\n\n# ---- patched below: these definitions replace the ones above ----\n" + patch


def by_hand_answers(module: types.ModuleType) -> dict:
    answers = {}
    for name in sorted(vars(module)):
        obj = getattr(module, name)
        if name.startswith("answer_") and callable(obj):
            try:
                answers[name] = obj()
            except Exception:  # a mutant may break an answer outright; that is not a key
                continue
    return answers


def keys_document(root: Path, exercise: str, solution: str) -> dict | None:
    # Only answers a hash can compare (numbers, strings, tuples...): a sympy answer is checked by
    # sympy in its test, and hashing its type name would accept any value of that type.
    answers = {p: v for p, v in by_hand_answers(load_source(solution, f"_key_{exercise}")).items()
               if '"repr"' not in checks.canonical(v)}
    if not answers:
        return None
    wrong = []
    for name, patch in mutant_sources(root, exercise):
        mutant = load_source(patched(solution, patch), f"_mutant_{exercise}_{name}")
        hint = getattr(mutant, "HINT", None)
        if hint:
            parts = getattr(mutant, "KEY_PARTS", None)  # None: every part; a tuple: only these
            wrong.append((hint, {p: v for p, v in by_hand_answers(mutant).items() if parts is None or p in parts}))
    # A shape whose numbers are right but in another order is the axis-order misconception.
    for part, answer in answers.items():
        if isinstance(answer, tuple) and len(answer) <= 4:
            wrong.extend(("axis_order", {part: perm}) for perm in sorted(set(itertools.permutations(answer))))
    return checks.keys_for(exercise, answers, wrong)


def outputs(root: Path = ROOT) -> dict[Path, str | bytes]:
    """Every generated file, path -> content (bytes for the copied assets)."""
    files: dict[Path, str | bytes] = {}
    # Data files an exercise ships (a sample image): solutions/assets/<exercise>/... -> exercises/assets/...
    assets = root / "solutions" / "assets"
    for path in sorted(assets.rglob("*")) if assets.is_dir() else []:
        if path.is_file() and "__pycache__" not in path.parts:
            files[root / "exercises" / "assets" / path.relative_to(assets)] = path.read_bytes()
    for path in sorted((root / "solutions").glob("*.py")):
        if path.name.startswith("_"):
            continue
        source = path.read_text()
        files[root / "exercises" / path.name] = make_stub(source, path.stem)
        doc = keys_document(root, path.stem, source)
        if doc is not None:
            files[root / "tests" / "keys" / f"{path.stem}.json"] = json.dumps(doc, indent=1, sort_keys=True) + "\n"
    files.update(notebooks(root, files))
    return files


def notebooks(root: Path, files: dict[Path, str | bytes]) -> dict[Path, str]:
    """One student notebook per assignment, from the stubs just generated (see autograder.notebook)."""
    import tomllib

    from . import manifest, notebook

    out = {}   # the manifest is read whole: AUTOGRADER_EXERCISES must not change what is generated
    table = tomllib.loads((root / manifest.MANIFEST).read_text()).get("assignments", {})
    for name, entry in table.items():
        exercises = list(entry.get("exercises", {}))
        stubs = {ex: files.get(root / "exercises" / f"{ex}.py") for ex in exercises}
        if not all(isinstance(s, str) for s in stubs.values()):
            continue   # an exercise without a solution yet: no notebook for its assignment
        solutions = {ex: (root / "solutions" / f"{ex}.py").read_text() for ex in exercises}
        nb = notebook.build(str(entry.get("title", name)), stubs, solutions, name)
        out[notebook.path(root, name)] = notebook.dumps(nb)
    return out


def _GENERATED(root: Path):
    return ((root / "exercises", "*.py"), (root / "exercises" / "assets", "**/*"), (root / "tests" / "keys", "*.json"),
            (root / "exercises" / "notebooks", "*.ipynb"))


def _same(path: Path, content: str | bytes) -> bool:
    if not path.is_file():
        return False
    return path.read_bytes() == (content if isinstance(content, bytes) else content.encode())


def stale(root: Path = ROOT) -> list[str]:
    """Generated files that differ from what regenerate would write, or should not exist."""
    want = outputs(root)
    problems = [str(p.relative_to(root)) for p, text in want.items() if not _same(p, text)]
    for folder, pattern in _GENERATED(root):
        for p in sorted(folder.glob(pattern)) if folder.is_dir() else []:
            if p not in want and p.is_file():
                problems.append(f"{p.relative_to(root)} (no solution generates it)")
    return problems


def regenerate(root: Path = ROOT) -> list[str]:
    written = []
    want = outputs(root)
    for path, text in want.items():
        if not _same(path, text):
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text)
            written.append(str(path.relative_to(root)))
    for folder, pattern in _GENERATED(root):
        for p in sorted(folder.glob(pattern)) if folder.is_dir() else []:
            if p not in want and p.is_file():
                p.unlink()
                written.append(f"{p.relative_to(root)} (removed)")
    assets = root / "exercises" / "assets"
    for folder in sorted(assets.rglob("*"), reverse=True) if assets.is_dir() else []:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    if assets.is_dir() and not any(assets.iterdir()):
        assets.rmdir()
    return written
