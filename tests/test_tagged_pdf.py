"""The tagged PDF in progress (README, "Accessible PDFs (in progress)"): languages.toml's
`tagged_pdf` is off in every language, so the published PDFs are untagged; these tests build
the PDFs of a copy of the project with it on and read them with poppler (`pdfinfo`,
`pdfinfo -struct-text`, `pdftotext`) and pypdf:

- the PDF is tagged (a structure tree, marked content) in the edition's language;
- every chapter and page heading of the book is an H1 of the structure tree, with the text
  the navigation gives it (a chapter with its label);
- the text read from the structure tree has every sentence of the Japanese original in the
  book's order (what a screen reader reads), with no space inside one that has none;
- the typesetting is the published PDF's: the same pages and the same text (`pdftotext`).

- LaTeX's log has no tagpdf warning (the build refuses one too: a box set in a paragraph,
  as the commentary's and an admonition's title row, was a P in a P).

What the tagging does not do yet (lists, the contents, links' alternative text, the language
of quoted spans, Chinese structure text) is in the README.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import TAGGED, edition_order, navigation_title, pdf_file, tagged_pdf
from pypdf import PdfReader
from source_text import Article, squash
from test_pdf_viewers import original_sentences, reading_order_problems

from book import languages

pytestmark = pytest.mark.slow  # builds the PDFs of a copy of the project (conftest.tagged)


def poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("tag", TAGGED)
def test_the_pdf_is_tagged_in_its_language(tagged: Path, tag: str) -> None:
    pdf = tagged_pdf(tagged, tag)
    assert re.search(r"^Tagged:\s+yes$", poppler("pdfinfo", str(pdf)), re.M)
    root = PdfReader(pdf).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == languages.get(tag).html_lang


@pytest.mark.parametrize("tag", TAGGED)
def test_every_page_heading_is_an_h1_with_the_navigations_text(tagged: Path, tag: str) -> None:
    """H1 collects its Spans' text: a chapter's label and title."""
    lines = poppler("pdfinfo", "-struct-text", str(tagged_pdf(tagged, tag))).splitlines()
    h1 = []
    for number, line in enumerate(lines):
        if line.strip().split()[:1] == ["H1"]:  # "H1 (block)"
            depth = len(line) - len(line.lstrip())
            words = []
            for inner in lines[number + 1 :]:
                if len(inner) - len(inner.lstrip()) <= depth:
                    break
                if inner.strip().startswith('"'):
                    words.append(inner.strip().strip('"'))
            h1.append(squash("".join(words)).replace("’", "'"))
    # The PDF's chapter label has no colon (Chapter 1); LaTeX's contents heading is no page's.
    expected = [
        squash(navigation_title(doc, tag)).replace("’", "'").replace(":", "")
        for doc in edition_order(tag)[1:]  # the root page's title is the title page's
    ]
    found = [h.replace(":", "") for h in h1]
    assert [h for h in found if h in expected] == expected, found


def test_the_structure_text_has_every_sentence_in_order(tagged: Path, article: Article) -> None:
    text = poppler("pdfinfo", "-struct-text", str(tagged_pdf(tagged, "ja")))
    words = "".join(line.strip().strip('"') for line in text.splitlines() if '"' in line)
    sentences = original_sentences(article)
    assert reading_order_problems(words, sentences) == []
    # As written: no space inside a sentence that has none (tagpdf's word spaces in luatexja's
    # glue made 2023 年 2 月 of 2023年2月, and a screen reader pauses at each).
    spaced = [s for s in sentences if not re.search(r"\s", s) and s not in words]
    assert spaced == []


@pytest.mark.parametrize("tag", TAGGED)
def test_the_typesetting_is_the_published_pdfs(tagged: Path, tag: str) -> None:
    published, tagged_one = pdf_file(tag), tagged_pdf(tagged, tag)
    assert len(PdfReader(tagged_one).pages) == len(PdfReader(published).pages)
    assert poppler("pdftotext", "-layout", str(tagged_one), "-") == poppler(
        "pdftotext", "-layout", str(published), "-"
    )


@pytest.mark.parametrize("tag", TAGGED)
def test_latex_writes_no_tagging_warning(tagged: Path, tag: str) -> None:
    logs = list((tagged / "build" / "work" / tag / "latex").glob("*.log"))
    assert logs
    warnings = [w for log in logs for w in re.findall(r"Package tagpdf Warning.*", log.read_text())]
    assert warnings == []
