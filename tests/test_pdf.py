"""Every PDF: fonts embedded and subset, a book paper size, bookmarks, metadata in its
language, and a LaTeX log without missing glyphs. pdffonts (poppler) and pypdf read it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, heading, languages, pdf_file
from pypdf import PdfReader

# ISO 216 A5, 148 mm x 210 mm, in PostScript points.
A5_POINTS = (148 * 72 / 25.4, 210 * 72 / 25.4)
CHAPTERS = ("chapters/china-position", "chapters/russia-china-relations", "sources")


def pdffonts_rows(pdf: Path) -> list[dict[str, str]]:
    """pdffonts' table. A long font name pushes the columns right, so each row is read from
    its end: name, type, encoding, then the fixed emb / sub / uni / object / generation."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        rest, emb, sub, uni, _obj, _gen = line.rsplit(None, 5)
        rows.append({"name": rest.split()[0], "emb": emb, "sub": sub, "uni": uni})
    return rows


def test_every_font_is_embedded_and_subset(tag: str) -> None:
    rows = pdffonts_rows(pdf_file(tag))
    assert len(rows) >= 2  # at least a CJK and a Latin text face
    assert [r["name"] for r in rows if (r["emb"], r["sub"]) != ("yes", "yes")] == []


def test_cjk_text_is_set_in_a_cjk_font(tag: str) -> None:
    # Every edition has CJK text: the Japanese or Chinese body, or (English) the original
    # Japanese names in the bibliography.
    assert any("CJK" in r["name"] for r in pdffonts_rows(pdf_file(tag)))


def test_paper_is_a5(tag: str) -> None:
    for page in PdfReader(pdf_file(tag)).pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A5_POINTS, abs=1.0)


def test_document_information(tag: str) -> None:
    reader = PdfReader(pdf_file(tag))
    row = languages.get(tag)
    assert reader.metadata.title == heading("index", tag)
    assert reader.metadata.author == row.author
    assert reader.trailer["/Root"]["/Lang"] == row.html_lang


def test_bookmarks_lead_to_every_chapter(tag: str) -> None:
    reader = PdfReader(pdf_file(tag))

    def titles(outline) -> list[str]:
        found = []
        for item in outline:
            found += titles(item) if isinstance(item, list) else [item.title]
        return found

    # Sphinx's smartquotes set the apostrophes of English headings as ’ in the book.
    bookmarks = [title.replace("’", "'") for title in titles(reader.outline)]
    # A chapter's bookmark starts with its number (第1章, 第一章, 1): tests/test_pdf_book.py.
    missing = [heading(doc, tag) for doc in CHAPTERS]
    assert [h for h in missing if not any(b.endswith(h) for b in bookmarks)] == []


def test_latex_log_has_no_missing_characters(tag: str) -> None:
    logs = list((ROOT / "build" / "work" / tag / "latex").glob("*.log"))
    assert logs, "no LaTeX log: run `make book`"
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "Missing character" not in text, log


def test_a_definition_starts_below_its_term() -> None:
    """Glossary and timeline in the Japanese PDF: each term (a name, a date) stands alone on
    its line, its definition below; no first character of the definition left on the term's
    line (pdftotext -layout keeps the line as printed)."""
    import re

    terms = []
    for page in ("glossary", "timeline"):
        text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
        terms += re.findall(r"^(\S[^\n]*)\n(?=  |: )", text.split("\n# ", 1)[1], re.M)
    terms = [t for t in terms if not t.startswith(("(", ":", "#"))]
    assert len(terms) >= 10, terms
    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf_file("ja")), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # luatexja spaces Latin digits from Japanese (2022 年 2 月): compare without spaces.
    lines = [re.sub(r"\s+", "", line) for line in layout.splitlines()]
    for term in (re.sub(r"\s+", "", t) for t in terms):
        starting = [line for line in lines if line.startswith(term)]
        assert starting, f"{term} not in the PDF"
        assert term in starting, f"the line of {term!r} holds more: {starting}"
