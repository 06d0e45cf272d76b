"""Where the project's files are: the folders of the tree, named once.

Everything else takes its paths from here, so a folder that moves is changed in one line.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # src/book/layout.py → the project
PYPROJECT = ROOT / "pyproject.toml"
LANGUAGE_TABLE = ROOT / "languages.toml"
DOCS = ROOT / "docs"
LOCALE = ROOT / "locale"
GLOSSARY = LOCALE / "glossary.toml"
PACKAGE = ROOT / "src" / "book"
BUILD = ROOT / "build"
WORK = BUILD / "work"  # each edition's Sphinx and LaTeX output, before it is published
GETTEXT = BUILD / "gettext"  # the message templates (.pot) of the source
SITE = BUILD / "site"  # what is published: each edition's folder, downloads, root pages
DOWNLOADS = SITE / "downloads"
NODE_MODULES = ROOT / "node_modules"


def relative(path: Path) -> str:
    """A path as messages show it: relative to the project where it lies inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
