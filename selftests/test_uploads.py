"""Uploads are data, never links: collect_submission and batch copies, without grading anything."""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from autograder import gradescope, uploads

from .conftest import ROOT

SECRET = ROOT / "solutions" / "conv_arithmetic.py"


def collect(upload: Path, tmp: Path, names=("conv_arithmetic", "kernels")):
    out, notes = gradescope.collect_submission(upload, list(names), tmp / "work")
    return out, "\n".join(notes)


def test_a_regular_file_is_copied(tmp_path):
    (tmp_path / "up").mkdir()
    (tmp_path / "up" / "conv_arithmetic.py").write_text("x = 1\n")
    out, notes = collect(tmp_path / "up", tmp_path)
    assert (out / "conv_arithmetic.py").read_text() == "x = 1\n" and "kernels.py: not found" in notes


def test_symlinks_hard_links_and_fifos_are_refused_by_name_and_never_read(tmp_path):
    up = tmp_path / "up"
    (up / "exercises").mkdir(parents=True)
    os.symlink(SECRET, up / "exercises" / "conv_arithmetic.py")
    (tmp_path / "a.py").write_text("y = 2\n")
    os.link(tmp_path / "a.py", up / "kernels.py")
    os.mkfifo(up / "pooling.py")
    os.symlink(ROOT / "solutions", up / "linked_folder")      # a linked folder is not entered
    out, notes = collect(up, tmp_path, ("conv_arithmetic", "kernels", "pooling", "cam"))
    assert list(out.iterdir()) == []
    assert "exercises/conv_arithmetic.py is a symbolic link; upload the file itself" in notes
    assert "kernels.py is a hard link" in notes and "pooling.py is a named pipe (FIFO)" in notes
    assert "cam.py: not found" in notes


def test_a_zip_entry_that_is_a_link_is_refused_and_plain_entries_are_kept(tmp_path):
    up = tmp_path / "up"
    up.mkdir()
    with zipfile.ZipFile(up / "student.zip", "w") as zf:
        link = zipfile.ZipInfo("exercises/conv_arithmetic.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, str(SECRET))
        zf.writestr("exercises/kernels.py", "k = 3\n")          # no file-type bits: a plain file
    out, notes = collect(up, tmp_path)
    assert not (out / "conv_arithmetic.py").exists() and "is a symbolic link" in notes
    assert (out / "kernels.py").read_text() == "k = 3\n"


def test_a_nested_zip_is_unpacked_by_the_same_rule(tmp_path):
    up = tmp_path / "up"
    up.mkdir()
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("conv_arithmetic.py", "z = 4\n")
    with zipfile.ZipFile(up / "outer.zip", "w") as zf:
        zf.write(inner, "inner.zip")
    out, _ = collect(up, tmp_path)
    assert (out / "conv_arithmetic.py").read_text() == "z = 4\n"


def test_batch_copies_keep_links_as_links(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    os.symlink(SECRET, src / "conv_arithmetic.py")
    (src / "kernels.py").write_text("k = 1\n")
    left_out = uploads.copy_tree(src, tmp_path / "dest")
    assert os.readlink(tmp_path / "dest" / "conv_arithmetic.py") == str(SECRET)
    assert (tmp_path / "dest" / "kernels.py").read_text() == "k = 1\n" and left_out == []


def test_shared_folder_writes_refuse_a_planted_link(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SHARED", str(tmp_path))
    target = tmp_path / "victim.txt"
    target.write_text("intact")
    with uploads.shared_folder("t-") as folder:
        os.symlink(target, folder / "picture.png")
        try:
            uploads.write_exclusive(folder / "picture.png", b"overwritten")
        except FileExistsError:
            pass
        assert target.read_text() == "intact"
        try:
            uploads.read_regular(folder / "picture.png")
            raise AssertionError("a link was read")
        except uploads.NotRegular as exc:
            assert "symbolic link" in str(exc)
