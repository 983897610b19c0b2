"""Notebooks: the generated student notebook, extraction from a submitted one, check() in a kernel,
and run_autograder on an .ipynb upload."""
from __future__ import annotations

import json
import shutil
import sys
import zipfile

import pytest

from autograder import build, manifest, notebook
from autograder.gradescope import collect_submission
from autograder.regenerate import make_stub

from .conftest import ROOT
from .conftest import run_autograder as run_all

ASSIGNMENT = "cnn-foundations"
SMALL = ("kernels", "conv_arithmetic")     # the exercises the slow tests grade (cheap ones)


def generated(assignment: str = ASSIGNMENT) -> dict:
    return json.loads((ROOT / "exercises" / "notebooks" / f"{assignment}.ipynb").read_text())


def filled(nb: dict, answers: bool = True) -> dict:
    """The generated notebook with every code cell replaced by the reference's code."""
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("autograder", {})
        if meta.get("kind") == "code":
            _, defs, preamble = notebook.stub_parts((ROOT / "solutions" / f"{meta['exercise']}.py").read_text())
            cell["source"] = preamble if meta["name"] == "<imports>" else dict(defs)[meta["name"]]
        elif meta.get("kind") == "answer" and answers:
            cell["source"] = f"My answer to {meta['id']}."
    return nb


def stubs() -> dict[str, str]:
    return {p.stem: make_stub(p.read_text(), p.stem) for p in sorted((ROOT / "solutions").glob("*.py"))
            if not p.name.startswith("_")}


# ------------------------------------------------------------------------------------------- unit tests

def test_every_assignment_has_a_valid_notebook_with_every_stub_and_a_check_cell_per_exercise():
    import nbformat

    for spec in manifest.all_assignments(ROOT):
        path = ROOT / "exercises" / "notebooks" / f"{spec.name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        kinds = [(c.metadata["autograder"]["exercise"], c.metadata["autograder"]["kind"]) for c in nb.cells]
        assert kinds[1] == ("", "setup")
        for ex in spec.exercises:
            assert (ex, "check") in kinds and (ex, "task") in kinds
            names = {c.metadata["autograder"].get("name") for c in nb.cells
                     if c.metadata["autograder"] == {**c.metadata["autograder"], "exercise": ex, "kind": "code"}}
            stub = (ROOT / "exercises" / f"{ex}.py").read_text()
            defined = {n for n, _ in notebook.stub_parts(stub)[1]}
            assert defined <= names, (ex, defined - names)
            assert all(f"autograder:{ex}:" in t for c in nb.cells if c.metadata["autograder"]["exercise"] == ex
                       for t in c.metadata["tags"])


def test_the_setup_cell_never_installs_torch_in_colab_and_fetches_only_requirements():
    setup = generated()["cells"][1]["source"]
    text = "".join(setup) if isinstance(setup, list) else setup
    assert '"google.colab" not in sys.modules' in text and "torch" in text
    assert "requirements.txt" in text and "http" not in text.replace("https://", "")   # no other download


def test_written_questions_follow_the_one_convention():
    assert notebook.written_questions("Task.\n\nGraded by hand (in your report): why it works.\n") == ["why it works."]
    doc = "Graded by hand (write it up):\n\n* Part A: the plot.\n  More of A.\n* Part B: the map.\n\nOther text.\n"
    assert notebook.written_questions(doc) == ["Part A: the plot. More of A.", "Part B: the map."]
    assert notebook.written_questions("Graded automatically: everything.\n") == []
    nb = generated("sequence-models")
    ids = [c["metadata"]["autograder"]["id"] for c in nb["cells"] if c["metadata"]["autograder"]["kind"] == "answer"]
    assert "saliency:1" in ids and "saliency:2" in ids and not any(i.startswith("quiz:") for i in ids)


def test_extraction_keeps_definitions_and_names_what_it_leaves_out():
    cells = [("cell 1", "import math\n!pip install foo\n%matplotlib inline\nEPS = 1e-9\n"),
             ("cell 2", "def blur_kernel():\n    return 1\n"),
             ("cell 3", "model = train(blur_kernel)\nprint('hi')\nfor i in range(3):\n    pass\n"),
             ("cell 4", "def helper(x):\n    return x\n"),
             ("cell 5", "def blur_kernel():\n    return helper(2)\n"),
             ("cell 6", "def broken(:\n")]
    got = notebook.extract_cells(cells, {"kernels": (ROOT / "exercises" / "kernels.py").read_text()})
    module = got.modules["kernels"]
    namespace: dict = {}
    exec(compile(module, "kernels", "exec"), namespace)
    assert namespace["blur_kernel"]() == 2 and namespace["EPS"] == 1e-9 and "model" not in namespace
    text = "\n".join(got.notes)
    for expected in ("`!pip install foo` removed", "`%matplotlib inline` removed", "`model = train(blur_kernel)` is not run",
                     "`print('hi')` is not run", "`for i in range(3):` is not run", "cell 6: a syntax error at line 1",
                     "the last one (cell 5) is graded"):
        assert expected in text, expected


def test_a_tagged_cell_stays_with_its_exercise_and_an_untagged_helper_goes_everywhere():
    all_stubs = stubs()
    cells = [("c1", "def _pair(v):\n    return 'conv2d'\n", "conv2d"),
             ("c2", "def _pair(v):\n    return 'pooling'\n", "pooling"),
             ("c3", "def shared_helper():\n    return 3\n"),
             ("c4", "class Conv2d:\n    pass\n", "conv2d"),
             ("c5", "def max_pool2d(x):\n    return x\n", "pooling")]
    got = notebook.extract_cells(cells, all_stubs)
    for ex in ("conv2d", "pooling"):
        ns: dict = {}
        exec(compile(got.modules[ex], ex, "exec"), ns)
        assert ns["_pair"](1) == ex and ns["shared_helper"]() == 3
    assert "kernels" not in got.modules   # nothing of it in the cells


@pytest.mark.parametrize("data, message", [
    (b'{"cells": [', "not valid JSON at line 1"),
    (b"\xff\xfe", "not UTF-8"),
    (b'{"nbformat": 4}', "no list of cells"),
    (b"[1, 2]", "no list of cells")])
def test_a_broken_notebook_gets_a_clear_message(data, message):
    with pytest.raises(notebook.NotebookError, match=message):
        notebook.read(data, "student.ipynb")


def test_collect_submission_takes_a_notebook_alone_in_a_zip_and_beside_stub_files(tmp_path):
    nb = json.dumps(filled(generated())).encode()
    stub = (ROOT / "exercises" / "kernels.py").read_text()
    upload = tmp_path / "up"
    upload.mkdir()
    with zipfile.ZipFile(upload / "sub.zip", "w") as zf:
        zf.writestr("student.ipynb", nb)
        zf.writestr("exercises/kernels.py", stub)          # the untouched stub: the notebook wins
        zf.writestr("exercises/conv_arithmetic.py", "def conv_output_length(*a):\n    return 7\n")  # edited: wins
    out, notes = collect_submission(upload, ["kernels", "conv_arithmetic"], tmp_path / "work", ROOT)
    assert notebook.STUB_MARK not in (out / "kernels.py").read_text()
    assert "return 7" in (out / "conv_arithmetic.py").read_text()
    text = "\n".join(notes)
    assert "kernels: graded from sub.zip:student.ipynb" in text and "a .py file wins" in text
    written = (tmp_path / "work" / "written" / "written_answers.md").read_text()
    assert "My answer to kernels:1." in written and "graded by hand" in written
    assert (tmp_path / "work" / "written" / "written_answers.html").read_text().startswith("<!DOCTYPE html>")


def test_the_student_zip_and_dist_carry_the_notebook(tmp_path):
    paths = build.build(tmp_path, ASSIGNMENT, ROOT)
    assert (tmp_path / "student.ipynb").read_bytes() == (ROOT / "exercises" / "notebooks" /
                                                          f"{ASSIGNMENT}.ipynb").read_bytes()
    with zipfile.ZipFile(tmp_path / "student.zip") as zf:
        assert "student.ipynb" in zf.namelist()
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        assert "student.ipynb" not in zf.namelist()
    assert [p.name for p in paths] == ["student.zip", "autograder.zip"]


# ------------------------------------------------------------------------------------ graded for real

@pytest.mark.slow
@pytest.mark.sandbox
def test_a_filled_notebook_scores_what_the_py_files_score_and_the_stub_notebook_zero(tmp_path):
    env = {"AUTOGRADER_EXERCISES": ",".join(SMALL)}
    scores = {}
    for name, files in {
        "notebook": {"student.ipynb": json.dumps(filled(generated()))},
        "py": {f"exercises/{ex}.py": (ROOT / "solutions" / f"{ex}.py").read_text() for ex in SMALL},
        "stub notebook": {"student.ipynb": json.dumps(generated())},
    }.items():
        root = tmp_path / name.replace(" ", "-")
        for rel, text in files.items():
            (root / "submission" / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / "submission" / rel).write_text(text)
        doc = run_all(root, env=env)
        scores[name] = doc["score"]
        if name == "notebook":
            assert "My answer to kernels:1." in doc["extra_data"]["written_answers"]
            assert (root / "results" / "written_answers.html").is_file()
    full = sum(manifest.load(ROOT, ASSIGNMENT).exercises[ex] for ex in SMALL)
    assert scores == {"notebook": full, "py": full, "stub notebook": 0}


def execute(nb: dict, cells) -> "nbformat.NotebookNode":
    """Runs the chosen cells of ``nb`` headless with nbclient, from the repository's root as a student's
    working directory; returns the notebook run."""
    import nbclient
    import nbformat

    run = nbformat.reads(json.dumps({**nb, "cells": [c for c in nb["cells"] if cells(c)]}), as_version=4)
    nbclient.NotebookClient(run, timeout=1200, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    return run


def outputs_of(cell) -> tuple[str, str]:
    return ("".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs),
            "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs))


@pytest.mark.slow
def test_one_exercise_of_the_notebook_runs_headless_and_its_check_reports_zero_then_full_marks():
    """nbclient runs the set-up cell, one exercise's cells and its check cell, as a student would."""
    pytest.importorskip("nbclient")

    def part(c):
        return c["metadata"]["autograder"]["kind"] == "setup" or (
            c["metadata"]["autograder"]["exercise"] == "kernels" and c["cell_type"] == "code")

    for nb, expected in ((generated(), "kernels: 0 / 11"), (filled(generated()), "kernels: 11 / 11")):
        text, html = outputs_of(execute(nb, part).cells[-1])
        assert expected.split(": ")[1] in html and expected in text, (text[:2000], html[:500])


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [a.name for a in manifest.all_assignments(ROOT)])
def test_the_whole_notebook_runs_headless_every_check_zero_with_stubs_and_full_with_the_reference(assignment):
    """Every cell of the assignment's notebook, run top to bottom: with the stubs each check cell reports
    0, and with the reference's code in the cells, each reports its exercise's public points in full."""
    pytest.importorskip("nbclient")
    nb = generated(assignment)
    for code, full in ((nb, False), (filled(nb), True)):
        # check_all() grades every exercise again: its table is checked once, on the stubs (fast)
        run = execute(code, lambda c: c["cell_type"] == "code" and not (
            full and c["metadata"]["autograder"]["kind"] == "check" and not c["metadata"]["autograder"]["exercise"]))
        checks = [c for c in run.cells if c.metadata["autograder"]["kind"] == "check"
                  and c.metadata["autograder"]["exercise"]]
        assert len(checks) == len(manifest.load(ROOT, assignment).exercises)
        for cell in checks:
            ex = cell.metadata["autograder"]["exercise"]
            text, html = outputs_of(cell)
            first = text.splitlines()[0] if text else ""
            assert first.startswith(f"{ex}: ") and html, (ex, text[:1500])
            score, _, top = first.split(": ", 1)[1].partition(" / ")
            assert (float(score) == float(top) > 0) if full else float(score) == 0, (ex, text[:3000])
        if not full:
            table = outputs_of(run.cells[-1])[0]
            assert table.splitlines()[-1].startswith("total") and " 0 / " in table.splitlines()[-1], table


@pytest.mark.slow
@pytest.mark.sandbox
def test_batch_grades_a_folder_of_notebooks_and_writes_the_written_answers_per_question(tmp_path, monkeypatch):
    from autograder import batch

    monkeypatch.setenv("AUTOGRADER_EXERCISES", "kernels")
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = filled(generated())
    for cell in nb["cells"]:
        if cell["metadata"]["autograder"].get("id") == "kernels:1":
            if cell["metadata"]["autograder"]["kind"] == "answer":
                cell["source"] = "Alice's **answer** <script>alert(1)</script><img src=x onerror=alert(2)>"
    (folder / "alice.ipynb").write_text(json.dumps(nb))
    (folder / "bob.ipynb").write_text(json.dumps(generated()))
    got = batch.grade_all([folder], tmp_path / "out", jobs=1, assignment=ASSIGNMENT, progress=False, written=True)
    scores = {r["submission"]: r["total"] for r in got["rows"]}
    assert scores == {"alice": manifest.load(ROOT, ASSIGNMENT).exercises["kernels"], "bob": 0}
    page = (tmp_path / "out" / "written.html").read_text()
    assert "<strong>answer</strong>" in page and "<h2>kernels:1</h2>" in page and "bob" in page
    assert "<script" not in page and "onerror" not in page and "<img" not in page
    assert "Alice's **answer**" in (tmp_path / "out" / "written" / "alice.md").read_text()
    assert (tmp_path / "out" / "written" / "bob.md").is_file()   # the stub's answer cells: "*Your answer here.*"


def test_a_check_report_renders_in_headless_chromium(tmp_path):
    """The HTML a check cell shows, rendered by Chromium (from Debian's packages) and looked at: the
    score heading in its colour (green for full marks, orange otherwise) and the failure's feedback box."""
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does it)")
    from PIL import Image

    from autograder.incell import Report

    def shot(report, name):
        page = tmp_path / f"{name}.html"
        page.write_text(f"<html><body style='background:white'>{report._repr_html_()}</body></html>")
        png = tmp_path / f"{name}.png"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={png}", "--window-size=800,400", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        return Image.open(png).convert("RGB")

    def has(img, rgb, tol=40):
        import numpy as np

        return int((np.abs(np.asarray(img, dtype=int) - np.array(rgb)).max(axis=-1) <= tol).sum())

    passed = shot(Report([{"name": "kernels: blur", "score": 1.0, "max_score": 1.0, "output": ""}], [], "kernels"),
                  "passed")
    failed = shot(Report([{"name": "kernels: blur", "score": 0.0, "max_score": 1.0,
                           "output": "expected: 1.0\ngot: 2.0\nHint: your kernel does not sum to 1"}],
                         ["a note"], "kernels"), "failed")
    assert has(passed, (0x1a, 0x7f, 0x37)) > 50 and has(passed, (0xb3, 0x59, 0x00)) == 0
    assert has(failed, (0xb3, 0x59, 0x00)) > 50 and has(failed, (0xf6, 0xf8, 0xfa), tol=2) > 2000
    assert has(failed, (0, 0, 0), tol=80) > 200        # the feedback text itself
