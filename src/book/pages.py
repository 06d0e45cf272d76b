"""The pages of the book's source, docs/**/*.md, as Sphinx names them, and their titles."""

from __future__ import annotations

from pathlib import Path

from book import layout


def is_page(path: Path, docs: Path = layout.DOCS) -> bool:
    """A MyST page of the book (not a template, not a hidden file)."""
    parts = path.relative_to(docs).parts
    return path.suffix == ".md" and not any(p.startswith(("_", ".")) for p in parts)


def docnames(docs: Path = layout.DOCS) -> list[str]:
    """Every page as a Sphinx docname (chapters/china-position), sorted."""
    return sorted(
        p.relative_to(docs).with_suffix("").as_posix()
        for p in docs.rglob("*.md")
        if is_page(p, docs)
    )


def source(docname: str, docs: Path = layout.DOCS) -> Path:
    return docs / f"{docname}.md"


def title_in(text: str) -> str | None:
    """The first level-1 heading (`# …`) of a MyST text: a page's title."""
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None


def title(docname: str, docs: Path = layout.DOCS) -> str | None:
    """A page's title in the Japanese source, or None where it has none."""
    path = source(docname, docs)
    return title_in(path.read_text(encoding="utf-8")) if path.is_file() else None
