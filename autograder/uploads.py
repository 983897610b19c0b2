"""Uploads are data, never links: walking, copying and unzipping what a student uploaded.

The grader runs as root, so following a link in an upload would copy whatever the link
points at (the reference solution, a hidden test, ``/proc/self/environ``) in as the
student's code. Everything here looks at entries with ``lstat`` (``follow_symlinks=False``),
opens files with ``O_NOFOLLOW`` and checks what it opened with ``fstat``: only regular files
with one link are read. Symbolic links, hard links, devices, FIFOs and sockets are refused
with a message that names them, and nothing they point at is read.
"""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import Iterator

MAX_FILE = 64 * 1024 * 1024


class NotRegular(OSError):
    """An upload entry that is not a plain file; ``str()`` says what it is, for the student."""


def kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def refusal(rel: str, what: str) -> str:
    return f"{rel} is {what}; upload the file itself (links and special files are not graded)."


def walk(base: Path, skip: set[str] | frozenset = frozenset()) -> Iterator[tuple[Path, str, str | None]]:
    """``(path, relative path, problem)`` for every entry below ``base``, never entering a linked folder.

    ``problem`` is None for a regular file with one link, else the student-facing refusal.
    Folders named in ``skip`` are not entered. Folders themselves are not yielded.
    """
    stack = [(Path(base), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                if entry.name not in skip:
                    stack.append((Path(entry.path), rel + "/"))
                continue
            if not stat.S_ISREG(info.st_mode):
                yield Path(entry.path), rel, refusal(rel, kind_of(info.st_mode))
            elif info.st_nlink > 1:
                yield Path(entry.path), rel, refusal(rel, "a hard link to another file")
            else:
                yield Path(entry.path), rel, None


def read_regular(path: Path, rel: str | None = None, limit: int = MAX_FILE) -> bytes:
    """The bytes of ``path`` if it is a regular file with one link; else :class:`NotRegular`."""
    rel = rel or path.name
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            raise NotRegular(f"{rel} could not be read ({exc.strerror})") from None
        raise NotRegular(refusal(rel, kind_of(mode))) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(refusal(rel, kind_of(info.st_mode)))
        if info.st_nlink > 1:
            raise NotRegular(refusal(rel, "a hard link to another file"))
        if info.st_size > limit:
            raise NotRegular(f"{rel} is larger than {limit // 2**20} MB and was not graded.")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise NotRegular(f"{rel} is larger than {limit // 2**20} MB and was not graded.")
        return data
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (never through a link already there) and write ``data``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def copy_tree(src: Path, dest: Path, skip: set[str] | frozenset = frozenset()) -> list[str]:
    """Copy the regular files below ``src`` to ``dest``; links are recreated as links (never
    followed), so the grading run that reads ``dest`` refuses them with its own message; other
    special files are left out. Returns what was left out."""
    left_out = []
    dest.mkdir(parents=True, exist_ok=True)
    for path, rel, problem in walk(src, skip):
        if Path(rel).name in skip:
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if problem is None:
            try:
                write_new(target, read_regular(path, rel))
            except NotRegular as exc:
                left_out.append(str(exc))
        elif os.path.islink(path):
            os.symlink(os.readlink(path), target)
        else:
            left_out.append(problem)
    return left_out


def _zip_kind(info: zipfile.ZipInfo) -> str | None:
    """What a zip entry is, when it is not a regular file or folder (its Unix mode says)."""
    mode = info.external_attr >> 16
    if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):   # no type bits: a plain file
        return kind_of(mode)
    return None


def extract(archive_bytes_path: Path, rel: str, dest: Path, notes: list[str], limit: int) -> None:
    """Unpack the zip ``archive_bytes_path`` (a regular file, already checked) into ``dest``:
    regular files only, inside ``dest``, at most ``limit`` bytes in all."""
    try:
        with zipfile.ZipFile(archive_bytes_path) as zf:
            total = 0
            for info in zf.infolist():
                if info.is_dir():
                    continue
                name = f"{rel}:{info.filename}"
                odd = _zip_kind(info)
                if odd:
                    notes.append(refusal(name, odd))
                    continue
                target = (dest / info.filename).resolve()
                if not target.is_relative_to(dest.resolve()):
                    notes.append(f"{name}: a path outside the archive; ignored.")
                    continue
                total += info.file_size
                if total > limit:
                    notes.append(f"{rel}: larger than {limit // 2**20} MB unpacked; the rest was ignored.")
                    return
                with zf.open(info) as src:
                    data = src.read(limit + 1)
                write_new(target, data)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        notes.append(f"{rel}: could not be unpacked ({exc}).")


# ---------------------------------------------------------------- folders shared with student code
def shared_root() -> Path:
    """Where the grader makes folders that student code may read and write: AUTOGRADER_SHARED
    (set by ``python -m autograder run``: a root-owned folder the worker may pass through but not
    list, so it cannot find a folder before it is handed its path), else the system temp folder."""
    import tempfile

    return Path(os.environ.get("AUTOGRADER_SHARED") or tempfile.gettempdir())


class shared_folder:
    """``with shared_folder("pooling-") as path:`` a fresh folder that student code may write to.

    The student may plant links in it once it knows the path, so the grader reads from it only
    with :func:`read_regular` and writes to it only with :func:`write_exclusive`.
    """

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.path: Path | None = None

    def __enter__(self) -> Path:
        import tempfile

        self.path = Path(tempfile.mkdtemp(prefix=self.prefix, dir=shared_root()))
        os.chmod(self.path, 0o777)
        return self.path

    def __exit__(self, *exc) -> None:
        import shutil

        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


def write_exclusive(path: Path, data: bytes) -> Path:
    """Create the new file ``path`` (refusing a name already there, link or not) world-readable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        os.fchmod(fd, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return path
