"""The pages of the book's source, docs/**/*.md, as Sphinx names them, their titles, and the
order a reader meets them in (the root page's toctree)."""

from __future__ import annotations

import posixpath
from pathlib import Path

from book import layout

INDEX = "index"  # the root page: the title page and opening of the book
COLOPHON = "colophon"  # the page of the book's data (奥付 / imprint); where: languages.toml


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


def toctree_entries(docname: str, docs: Path = layout.DOCS) -> list[str]:
    """The docnames a page's toctrees list, in order, read with MyST's own parser (a fence of
    backticks or colons whose info is {toctree}; its lines are options or entries)."""
    from book.message_checks import myst_parser

    path = source(docname, docs)
    if not path.is_file():
        return []
    entries = []
    for token in myst_parser().parse(path.read_text(encoding="utf-8")):
        if token.type not in ("fence", "colon_fence") or token.info.strip() != "{toctree}":
            continue
        for line in token.content.splitlines():
            line = line.strip()
            if not line or line.startswith(":") or line == "self":
                continue
            target = line.rsplit("<", 1)[1].rstrip(">") if line.endswith(">") else line
            name = target.strip().removesuffix(".md")
            if name.startswith("/"):
                name = name[1:]
            else:
                name = posixpath.normpath(posixpath.join(posixpath.dirname(docname), name))
            entries.append(name)
    return entries


def reading_order(colophon_position: str = "back", docs: Path = layout.DOCS) -> list[str]:
    """The book's pages as a reader meets them: the root page, then its toctree, depth first,
    as the source lists them; with the colophon in "front", the colophon right after the root
    page (where the edition puts its colophon: languages.toml, colophon_position)."""
    order: list[str] = []

    def visit(docname: str) -> None:
        if docname in order:
            return
        order.append(docname)
        for child in toctree_entries(docname, docs):
            visit(child)

    visit(INDEX)
    if colophon_position == "front" and COLOPHON in order:
        order.remove(COLOPHON)
        order.insert(1, COLOPHON)
    return order
