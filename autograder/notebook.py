"""Notebooks: the student notebook of an assignment, and the exercise modules inside a submitted one.

**The student notebook** (``exercises/notebooks/<assignment>.ipynb``, written by ``regenerate`` from
the stubs, shipped as ``student.ipynb``) has, in order: a set-up cell (works in Colab and in a local
Jupyter: installs the pinned requirements that are missing, never torch in Colab, fetches nothing
else), then per exercise a markdown cell with its task text (the module docstring), a code cell with
the module's imports and constants, one code cell per function or class stub, a check cell
(``check("<exercise>")``), and a question and an answer cell for each part graded by hand.

Every generated cell carries ``metadata["autograder"]`` = ``{"exercise": ..., "kind": ...}``
(kind: ``setup``, ``task``, ``code``, ``check``, ``question``, ``answer``) and the same as a tag
(``autograder:<exercise>:<kind>``), so that tools which keep tags but drop metadata still work.

**Written parts** are marked in ``solutions/`` by one convention: the module docstring has a
paragraph that begins with ``Graded by hand``. Each bullet of that paragraph (``*`` or ``-``) is one
question; a paragraph without bullets is one question. They become the question/answer cells.

**Extraction** (the grader, from a submitted notebook, and ``check`` in a running kernel, from the
cells the kernel ran: the same function, so "passes here" means "passes on Gradescope"):
``!pip ...`` and ``%magic`` lines are removed (and named in a note); of each cell's top-level code,
only definitions are kept: imports, functions, classes, and assignments whose right-hand side calls
nothing (``EPS = 1e-9``), plus the assignments the stub itself has (``MU = sympy.Symbol(...)``).
Everything else (a call such as ``train(model)``, a loop, ``data = load(...)``) is not run, and a note
says which line was left out. When a name is defined in several cells, the last one wins (as when the
notebook is run top to bottom), and a note names the cell kept. A function or class defined in the
notebook that no exercise's stub has (a helper of the student's) goes into every exercise module.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

KEY = "autograder"
STUB_MARK = ": replace this line with your solution"
MAGIC = re.compile(r"^\s*[!%]")

SETUP = '''\
# Run this cell first, in Colab or in Jupyter. It installs what is missing (never torch in Colab,
# which has it) and loads check() and check_all(). Nothing else is downloaded.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("autograder") is None and os.path.isdir("student"):
    os.chdir("student")          # Colab: after `!unzip -o student.zip -d student`
if importlib.util.find_spec("autograder") is None:
    raise RuntimeError("Open this notebook from the unzipped student.zip folder (in Colab: upload student.zip, "
                       "run `!unzip -o student.zip -d student`, then this cell again).")
sys.path.insert(0, os.getcwd())
_needed = {"sympy": "sympy", "hypothesis": "hypothesis", "pytest": "pytest", "gradescope_utils": "gradescope-utils",
           "jsonschema": "jsonschema", "matplotlib": "matplotlib", "sklearn": "scikit-learn", "nbformat": "nbformat"}
_missing = [m for m in _needed if importlib.util.find_spec(m) is None]
if importlib.util.find_spec("torch") is None and "google.colab" not in sys.modules:
    _missing.append("torch")
if _missing:
    _pins = [line.strip() for line in open("requirements.txt") if line.strip() and not line.startswith("#")]
    _want = [p for p in _pins if p.split("==")[0].lower().replace("_", "-") in
             {_needed.get(m, m).lower() for m in _missing}]
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", *_want])
from autograder.incell import check, check_all
__file__ = os.path.join(os.getcwd(), "exercises", "notebook.py")   # code written for exercises/ finds its assets
'''


class NotebookError(Exception):
    """A notebook the grader cannot read; the message says why, for the student."""


@dataclass
class Extracted:
    modules: dict[str, str]                       # exercise -> module source
    notes: list[str] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)   # written answers, in notebook order


# ------------------------------------------------------------------------------------------ reading

def written_questions(doc: str) -> list[str]:
    """The hand-graded questions of a module docstring (see the module docstring for the convention)."""
    lines = (doc or "").splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("Graded by hand")), None)
    if start is None:
        return []
    para: list[str] = []
    for line in lines[start:]:
        if not line.strip():
            if para and para[-1] != "":
                para.append("")
            continue
        if para and para[-1] == "" and not line.lstrip().startswith(("*", "-")) and not line.startswith(" "):
            break
        para.append(line)
    head, bullets = [], []
    for line in para:
        stripped = line.strip()
        if stripped.startswith(("* ", "- ")):
            bullets.append(stripped[2:])
        elif bullets and stripped:
            bullets[-1] += " " + stripped
        elif stripped:
            head.append(stripped)
    if bullets:
        intro = " ".join(head)
        intro = intro.split(":", 1)[1].strip() if ":" in intro else ""
        return [f"{intro} {b}".strip() if intro and len(bullets) == 1 else b for b in bullets]
    text = " ".join(head)
    return [text.split(":", 1)[1].strip() if ":" in text else text]


def stub_parts(source: str) -> tuple[str, list[tuple[str, str]], str]:
    """(docstring, [(name, source of one top-level definition)], preamble: imports and constants)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    doc = ast.get_docstring(tree) or ""
    preamble, defs = [], []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        text = "\n".join(lines[first - 1:node.end_lineno])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs.append((node.name, text))
        else:
            preamble.append(text)
    return doc, defs, "\n".join(preamble)


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _assigned(node: ast.Assign | ast.AnnAssign) -> list[str]:
    """The names an assignment binds (``a, b = ...`` binds both)."""
    return [n.id for t in _targets(node) for n in ast.walk(t) if isinstance(n, ast.Name)]


def stub_names(source: str) -> set[str]:
    """Top-level names a stub defines (functions, classes, assigned names)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            names.update(_assigned(node))
    return names


def path(root: Path, assignment: str) -> Path:
    """Where regenerate writes an assignment's student notebook."""
    return root / "exercises" / "notebooks" / f"{assignment}.ipynb"


# ------------------------------------------------------------------------------------------ building

def _cell_meta(exercise: str, kind: str, extra: dict | None = None) -> dict:
    return {KEY: {"exercise": exercise, "kind": kind, **(extra or {})}, "tags": [f"{KEY}:{exercise}:{kind}"]}


def build(title: str, exercises: dict[str, str], solutions: dict[str, str], assignment: str = ""):
    """The student notebook of ``assignment``: ``exercises`` maps each exercise to its stub source,
    ``solutions`` to its solution source (only its docstring is read, for the written questions)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [new_markdown_cell(f"# {title}\n\nRun the set-up cell first. Fill in each code cell, run it, then its "
                               "check cell. Answer the written questions in their answer cells. Submit this "
                               "notebook (`student.ipynb`) to Gradescope; only the definitions in your code "
                               "cells are graded, so keep training calls and experiments in cells of their own.",
                               metadata=_cell_meta("", "title")),
             new_code_cell(SETUP, metadata=_cell_meta("", "setup"))]
    for ex, stub in exercises.items():
        doc, defs, preamble = stub_parts(stub)
        cells.append(new_markdown_cell(f"## `{ex}`\n\n```text\n{doc}\n```", metadata=_cell_meta(ex, "task")))
        if preamble.strip():
            cells.append(new_code_cell(preamble, metadata=_cell_meta(ex, "code", {"name": "<imports>"})))
        for name, text in defs:
            cells.append(new_code_cell(text, metadata=_cell_meta(ex, "code", {"name": name})))
        cells.append(new_code_cell(f'check("{ex}")', metadata=_cell_meta(ex, "check")))
        solution_doc = ast.get_docstring(ast.parse(solutions.get(ex, ""))) or ""
        for i, question in enumerate(written_questions(solution_doc), 1):
            qid = f"{ex}:{i}"
            cells.append(new_markdown_cell(f"**Written answer {qid}** (graded by hand): {question}",
                                           metadata=_cell_meta(ex, "question", {"id": qid})))
            cells.append(new_markdown_cell("*Your answer here.*", metadata=_cell_meta(ex, "answer", {"id": qid})))
    cells.append(new_code_cell(f'check_all("{assignment}")' if assignment else "check_all()",
                               metadata=_cell_meta("", "check")))
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:03d}"        # stable ids: regenerate --check compares bytes
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"},
                                             "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def dumps(nb) -> str:
    import nbformat

    return nbformat.writes(nb) + "\n"


# ----------------------------------------------------------------------------------------- extraction

def read(data: bytes, shown: str):
    """A notebook from bytes, or NotebookError saying what is wrong with it."""
    import nbformat

    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{shown}: not a notebook (not UTF-8 text).") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{shown}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); the "
                            "notebook may have been saved while it was being edited, or cut short. Open it in "
                            "Jupyter or Colab, save it again, and resubmit.") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotebookError(f"{shown}: JSON, but not a notebook (it has no list of cells).")
    try:
        return nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:   # nbformat's own validation errors vary by version
        raise NotebookError(f"{shown}: not a notebook nbformat can read ({type(exc).__name__}: "
                            f"{str(exc)[:200]}).") from None


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _strip_magics(text: str, where: str, notes: list[str]) -> str:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if MAGIC.match(line):
            notes.append(f"{where}, line {number}: `{line.strip()[:60]}` removed (shell and % commands are not "
                         "run by the grader).")
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


def _calls_something(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)) for n in ast.walk(node))


def _import_only(node: ast.AST) -> bool:
    return isinstance(node, ast.Try) and all(
        isinstance(n, (ast.Import, ast.ImportFrom, ast.Pass)) or (isinstance(n, ast.Assign) and not _calls_something(n))
        for block in [node.body, node.orelse, node.finalbody, *[h.body for h in node.handlers]] for n in block)


def extract_cells(cells: list[tuple], stubs: dict[str, str]) -> Extracted:
    """Exercise modules from code cells in notebook order. ``cells``: (where, source) or (where, source,
    exercise) tuples, e.g. ("cell 7", "def f(): ...", "conv2d"); ``stubs``: exercise -> stub source.

    A definition goes to the exercise its cell is tagged with; in an untagged cell, to every exercise
    whose stub has that name, or to every exercise when no stub has it (a helper of the student's)."""
    notes: list[str] = []
    owners: dict[str, list[str]] = {}
    stub_assigned: set[str] = set()
    for ex, stub in stubs.items():
        for name in stub_names(stub):
            owners.setdefault(name, []).append(ex)
        for node in ast.parse(stub).body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                stub_assigned.update(_assigned(node))
    imports: list[str] = []
    kept: dict[tuple[str, str], tuple[str, str]] = {}   # (exercise or "*", names) -> (where, source)
    last: dict[tuple[str, str], int] = {}               # -> the position of its last definition
    position = 0
    order: list[tuple[str, str]] = []
    where_defined: dict[tuple[str, str], list[str]] = {}
    for cell in cells:
        where, text = cell[0], cell[1]
        tagged = cell[2] if len(cell) > 2 and cell[2] in stubs else None
        code = _strip_magics(text, where, notes)
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            at = f" at line {exc.lineno}" if exc.lineno else ""
            notes.append(f"{where}: a syntax error{at} ({exc.msg}), so nothing of this cell is graded. Fix it "
                         "and run the cell.")
            continue
        except (RecursionError, MemoryError, ValueError) as exc:   # nested too deep, a NUL byte, ...
            notes.append(f"{where}: Python cannot parse this cell ({type(exc).__name__}), so nothing of it is "
                         "graded.")
            continue
        lines = code.splitlines()
        for node in tree.body:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            segment = "\n".join(lines[first - 1:node.end_lineno])
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue   # every module gets `from __future__ import annotations` first
            if isinstance(node, (ast.Import, ast.ImportFrom)) or _import_only(node):
                if segment not in imports:
                    imports.append(segment)
                continue
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue   # a docstring or a bare string
            names: list[str] = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                names = _assigned(node)
                simple = all(isinstance(t, (ast.Name, ast.Tuple)) for t in _targets(node))
                if not simple or (_calls_something(node) and not set(names) <= stub_assigned):
                    notes.append(f"{where}, line {node.lineno}: `{segment.splitlines()[0][:60]}` is not run by the "
                                 "grader (only definitions, imports and constants are graded; it calls something).")
                    continue
            else:
                notes.append(f"{where}, line {node.lineno}: `{segment.splitlines()[0][:60]}` is not run by the "
                             "grader (only definitions, imports and constants are graded).")
                continue
            key = (tagged or "*", ",".join(names))
            if key in kept:
                where_defined[key].append(where)
            else:
                order.append(key)
                where_defined[key] = [where]
            kept[key] = (where, segment)
            position += 1
            last[key] = position
    for (_, names), places in where_defined.items():
        if len(places) > 1:
            notes.append(f"`{names}` is defined in {', '.join(places)}; the last one ({places[-1]}) is graded, as "
                         "when the notebook runs top to bottom.")

    def candidate(key: tuple[str, str], ex: str) -> bool:
        scope, names = key
        return scope == ex or (scope == "*" and ex in owners.get(names.split(",")[0], [ex]))

    def goes_to(key: tuple[str, str], ex: str) -> bool:
        # of a name's tagged and untagged definitions, the one run last wins
        rivals = [k for k in kept if k[1] == key[1] and candidate(k, ex)]
        return candidate(key, ex) and max(rivals, key=last.__getitem__) == key

    modules: dict[str, str] = {}
    for ex in stubs:
        mine = [k for k in order if goes_to(k, ex)]
        if not any(ex in owners.get(k[1].split(",")[0], []) for k in mine):
            continue   # nothing of this exercise in the notebook
        modules[ex] = "\n\n".join(["from __future__ import annotations", *imports, *[kept[k][1] for k in mine]]) + "\n"
    return Extracted(modules, notes)


def extract(nb, stubs: dict[str, str], shown: str = "student.ipynb") -> Extracted:
    """The exercise modules and written answers of a notebook (see the module docstring)."""
    cells, answers = [], []
    seen_ids: dict[str, int] = {}
    for index, cell in enumerate(nb.get("cells", []), 1):
        meta = cell.get("metadata", {}).get(KEY, {}) if isinstance(cell.get("metadata"), dict) else {}
        if cell.get("cell_type") == "code":
            if meta.get("kind") in ("setup", "check"):
                continue
            cells.append((f"{shown} cell {index}", _source(cell), meta.get("exercise")))
        elif cell.get("cell_type") == "markdown" and meta.get("kind") == "answer":
            qid = str(meta.get("id", f"cell {index}"))
            seen_ids[qid] = seen_ids.get(qid, 0) + 1
            answers.append({"id": qid, "exercise": meta.get("exercise", ""), "answer": _source(cell)})
    out = extract_cells(cells, stubs)
    for qid, count in seen_ids.items():
        if count > 1:
            out.notes.append(f"written answer {qid}: {count} answer cells; all are kept, in notebook order.")
    out.answers = answers
    return out


def untouched(source: str) -> bool:
    """Whether every function of an extracted module still raises the stub's NotImplementedError."""
    return STUB_MARK in source


def questions(nb) -> dict[str, str]:
    """Question id -> question text, from the notebook's question cells."""
    out = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get(KEY, {})
        if cell.get("cell_type") == "markdown" and meta.get("kind") == "question":
            out[str(meta.get("id"))] = _source(cell)
    return out


def written_markdown(nb, answers: list[dict], student: str = "") -> str:
    """The written answers as one markdown document (for Gradescope's manual questions)."""
    asked = questions(nb)
    parts = [f"# Written answers{f' of {student}' if student else ''}\n"]
    for a in answers:
        parts.append(f"## {a['id']}\n\n{asked.get(a['id'], '').strip()}\n\n{a['answer'].strip() or '*(no answer)*'}\n")
    return "\n".join(parts)


SAFE_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
             "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}


def safe_html(markdown_text: str) -> str:
    """Markdown (a student's) as HTML for a grader's browser: rendered by nbconvert's markdown filter,
    then cleaned with bleach, so no script, style, iframe, image or event handler survives."""
    import bleach
    from nbconvert.filters.markdown import markdown2html

    return bleach.clean(markdown2html(markdown_text), tags=SAFE_TAGS, attributes={"a": ["href", "title"]},
                        protocols={"http", "https", "mailto"}, strip=True)


def written_html(markdown_text: str) -> str:
    """The written answers as a standalone HTML page."""
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Written answers</title></head><body>"
            f"{safe_html(markdown_text)}</body></html>\n")


def stubs_of(root: Path, exercises) -> dict[str, str]:
    return {ex: (root / "exercises" / f"{ex}.py").read_text() for ex in exercises
            if (root / "exercises" / f"{ex}.py").is_file()}
