"""Writing files so that a reader never sees half of one, and knowing when inputs changed.

- `write_atomically`, `copy_atomically`, `replace_tree`: the new content goes to a sibling
  first and is renamed into place, so an interrupted build leaves the old file whole.
- `digest` and `Stamp`: one digest over a set of files (names and contents), kept beside the
  output it was made for; the output is up to date while the stamp matches. Used by the build
  (an edition's inputs), the Sphinx configuration (the code Sphinx does not track) and the
  set-up (the locked packages).

Standard library only: the set-up imports this with the system's Python, before .venv exists.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from pathlib import Path


def staging(target: Path) -> Path:
    """Where a file is written before it is renamed into place: beside it, hidden."""
    return target.with_name(f".{target.name}.new")


def write_atomically(target: Path, data: str | bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    new = staging(target)
    if isinstance(data, str):
        new.write_text(data, encoding="utf-8")
    else:
        new.write_bytes(data)
    new.replace(target)


def copy_atomically(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    new = staging(target)
    shutil.copyfile(source, new)
    new.replace(target)


def replace_tree(source: Path, target: Path, ignore: Iterable[str] = ()) -> None:
    """Replace the folder target by a copy of source, through a sibling folder and two
    renames (a folder cannot be replaced in one)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    new = staging(target)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(new, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(source, new, ignore=shutil.ignore_patterns(*ignore))
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digest(paths: Iterable[Path], root: Path, extra: Iterable[str] = ()) -> str:
    """SHA-256 over files (each file's path below root and its bytes) and extra strings.
    Files in __pycache__ folders are left out: they change when nothing else does."""
    hashed = hashlib.sha256()
    for path in paths:
        if path.is_file() and "__pycache__" not in path.parts:
            hashed.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    for text in extra:
        hashed.update(b"\0" + text.encode())
    return hashed.hexdigest()


def files_below(root: Path, names: Iterable[str]) -> list[Path]:
    """The files that the given names (files or folders, relative to root) stand for."""
    found: list[Path] = []
    for name in names:
        path = root / name
        found += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return found


class Stamp:
    """The digest an output was made from, kept in a file beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def matches(self, value: str) -> bool:
        return self.path.is_file() and self.path.read_text().strip() == value

    def write(self, value: str) -> None:
        write_atomically(self.path, value + "\n")
