"""The PDF: every font embedded and subset, a book paper size, bookmarks, metadata, and a
LaTeX log without missing glyphs. pdffonts (poppler) and pypdf are the outside readers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, first_heading, languages
from pypdf import PdfReader

# ISO 216 A5, 148 mm x 210 mm, in PostScript points.
A5_POINTS = (148 * 72 / 25.4, 210 * 72 / 25.4)
CHAPTERS = ("chapters/china-position", "chapters/russia-china-relations", "sources")


def pdffonts_rows(pdf: Path) -> list[dict[str, str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    header, rule, *rows = out.stdout.splitlines()
    # Columns are as wide as the dashes under their heading.
    spans, start = [], 0
    for dashes in rule.split(" "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 1
    names = [header[a:b].strip() for a, b in spans]
    return [{n: row[a:b].strip() for n, (a, b) in zip(names, spans, strict=True)} for row in rows]


def test_every_font_is_embedded_and_subset(pdf_path: Path) -> None:
    rows = pdffonts_rows(pdf_path)
    assert len(rows) >= 2  # at least the Japanese and the Latin text faces
    assert [r["name"] for r in rows if (r["emb"], r["sub"]) != ("yes", "yes")] == []


def test_japanese_text_is_set_in_a_japanese_font(pdf_path: Path) -> None:
    assert any("CJKjp" in r["name"] for r in pdffonts_rows(pdf_path))


def test_paper_is_a5(pdf_path: Path) -> None:
    for page in PdfReader(pdf_path).pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A5_POINTS, abs=1.0)


def test_document_information(pdf_path: Path) -> None:
    reader = PdfReader(pdf_path)
    row = languages.get(languages.SOURCE_LANGUAGE)
    assert reader.metadata.title == first_heading("index")
    assert reader.metadata.author == row.author
    assert reader.trailer["/Root"]["/Lang"] == row.html_lang


def test_bookmarks_lead_to_every_chapter(pdf_path: Path) -> None:
    reader = PdfReader(pdf_path)

    def titles(outline) -> list[str]:
        found = []
        for item in outline:
            found += titles(item) if isinstance(item, list) else [item.title]
        return found

    bookmarks = titles(reader.outline)
    assert [first_heading(doc) for doc in CHAPTERS if first_heading(doc) not in bookmarks] == []


def test_latex_log_has_no_missing_characters() -> None:
    tag = languages.SOURCE_LANGUAGE
    logs = list((ROOT / "build" / "work" / tag / "latex").glob("*.log"))
    assert logs, "no LaTeX log: run `make book`"
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "Missing character" not in text, log
