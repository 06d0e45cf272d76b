"""The PDF as a book (issue "A book by the conventions of its languages"), read from the
built PDFs by poppler (pdftotext -bbox-layout, pdffonts) and pypdf, against the source:

- front matter (title page, the imprint page where the language puts it there, contents)
  numbered i, ii, …; the main matter from 1; the chapters of docs/chapters/ numbered, the
  back matter (every other page of the root toctree) not;
- running heads that name the chapter (with its number) or the back-matter section;
- no italic face in the Japanese and Chinese books (a slanted Latin date beside upright
  kanji);
- no widow, orphan, lone line of a box or list, or heading at the foot of a page.
"""

from __future__ import annotations

import functools
import itertools
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import edition_order, epub_file, heading, html_root, pdf_file
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader
from test_pdf import pdffonts_rows

CJK = ("ja", "zh_CN")
# How each language numbers a chapter in its heading, running head and bookmark.
CHINESE_NUMERALS = "〇一二三四五六七八九"


def chapter_label(tag: str, number: int) -> str:
    if tag == "ja":
        return f"第{number}章"
    if tag == "zh_CN":
        return f"第{CHINESE_NUMERALS[number]}章"
    return f"Chapter {number}"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("’", "'"))


def order(tag: str) -> list[str]:
    """The root toctree's entries in the edition's order: the source's, with the colophon
    after the title page where the language puts it there (languages.toml)."""
    return edition_order(tag)[1:]


def front_matter(tag: str) -> list[str]:
    """The pages before the chapters (the imprint page, where the language has it in front)."""
    return list(itertools.takewhile(lambda doc: not doc.startswith("chapters/"), order(tag)))


def chapters(tag: str) -> list[str]:
    return [doc for doc in order(tag) if doc.startswith("chapters/")]


def back_matter(tag: str) -> list[str]:
    return order(tag)[len(front_matter(tag)) + len(chapters(tag)) :]


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@functools.cache
def page_lines(pdf: Path) -> list[list[Line]]:
    """Every page's text lines as poppler lays them out, top to bottom."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout
    tree = etree.fromstring(xml, etree.XMLParser(recover=True))
    pages = []
    for page in tree.iter("{*}page"):
        lines = [
            Line(
                *(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")),
                "".join(w.text or "" for w in line.iter("{*}word")),
            )
            for line in page.iter("{*}line")
        ]
        pages.append(sorted(lines, key=lambda line: (round(line.y1), line.x0)))
    return pages


@functools.cache
def page_height(pdf: Path) -> float:
    return float(PdfReader(pdf).pages[0].mediabox.height)


def body(pdf: Path, lines: list[Line]) -> list[Line]:
    """The lines of the text block: below the head line, above the foot line (vmargin 20 mm
    in docs/conf.py; head and folio sit in the margins)."""
    margin = 20 * 72 / 25.4
    bottom = page_height(pdf) - margin
    return [line for line in lines if line.y0 > margin - 6 and line.y1 < bottom + 6]


def margins(pdf: Path) -> tuple[float, float]:
    """The text block's left edge (where most lines start: a Q. hangs in the margin) and its
    right edge (where justified lines end)."""
    lines = [line for page in page_lines(pdf) for line in body(pdf, page)]
    starts = [round(line.x0) for line in lines]
    return float(max(set(starts), key=starts.count)), max(line.x1 for line in lines)


def runs(lines: list[Line], leading: float) -> list[list[Line]]:
    """Lines set at the text's leading, one after the other: a paragraph (or a piece of one);
    a larger gap (paragraph skip, a box's edge, a heading's space) starts a new run."""
    found: list[list[Line]] = []
    for line in lines:
        if found and line.y1 - found[-1][-1].y1 <= leading * 1.1:
            found[-1].append(line)
        else:
            found.append([line])
    return found


def leading(pdf: Path) -> float:
    """The commonest distance between baselines: the body text's leading."""
    gaps: dict[int, int] = {}
    for page in page_lines(pdf):
        lines = body(pdf, page)
        for a, b in itertools.pairwise(lines):
            gap = round(b.y1 - a.y1)
            gaps[gap] = gaps.get(gap, 0) + 1
    return float(max((n, g) for g, n in gaps.items() if g > 5)[1])


def test_chapters_are_numbered_and_back_matter_is_not(tag: str) -> None:
    reader = PdfReader(pdf_file(tag))
    top = [item.title.replace("’", "'") for item in reader.outline if not isinstance(item, list)]
    front, numbered_docs, back = front_matter(tag), chapters(tag), back_matter(tag)
    assert top[: len(front)] == [heading(doc, tag) for doc in front]
    expected = [
        f"{chapter_label(tag, n).split()[-1] if tag == 'en' else chapter_label(tag, n)}"
        for n in range(1, len(numbered_docs) + 1)
    ]
    main = top[len(front) : len(front) + len(numbered_docs)]
    for label, doc, title in zip(expected, numbered_docs, main, strict=True):
        assert squash(title) == squash(f"{label} {heading(doc, tag)}"), title
    assert top[len(front) + len(numbered_docs) :] == [heading(doc, tag) for doc in back]
    # The opening page of each: "第1章" / "Chapter 1" above a chapter's title, none above a
    # front- or back-matter title.
    pages = page_lines(pdf_file(tag))
    for n, item in enumerate(i for i in reader.outline if not isinstance(i, list)):
        page = pages[reader.get_destination_page_number(item)]
        text = squash("".join(line.text for line in page))
        title = squash(heading(order(tag)[n], tag))
        numbered = re.search(r"第.章|Chapter\d", text[: text.index(title)])
        chapter = n - len(front)
        if 0 <= chapter < len(numbered_docs):
            assert numbered and numbered.group() == squash(chapter_label(tag, chapter + 1))
        else:
            assert not numbered, text[:80]


def test_page_labels_front_matter_roman_then_arabic(tag: str) -> None:
    pdf = pdf_file(tag)
    reader = PdfReader(pdf)
    labels = reader.page_labels
    # The title page, an imprint page where the language has one in front, the contents.
    front = ["i", "ii", "iii"][: 2 + len(front_matter(tag))]
    assert labels[: len(front)] == front
    assert labels[len(front) :] == [str(n) for n in range(1, len(labels) - len(front) + 1)]
    # The folio printed on each page (but the title page) is its label.
    for index, lines in enumerate(page_lines(pdf)[1:], start=1):
        margin_lines = [line.text for line in lines if line not in body(pdf, lines)]
        assert labels[index] in margin_lines, (index, margin_lines)


def test_running_heads_name_the_chapter_or_section(tag: str) -> None:
    pdf = pdf_file(tag)
    reader = PdfReader(pdf)
    top = [i for i in reader.outline if not isinstance(i, list)]
    starts = [reader.get_destination_page_number(i) for i in top]
    docs, front = order(tag), len(front_matter(tag))
    expected: dict[int, str] = {}
    for n, (doc, start) in enumerate(zip(docs, starts, strict=True)):
        end = starts[n + 1] if n + 1 < len(starts) else len(reader.pages)
        chapter = n - front
        if chapter < 0:
            continue  # front matter: one page, the contents and the opening have no head
        label = chapter_label(tag, chapter + 1) if chapter < len(chapters(tag)) else ""
        for index in range(start + 1, end):  # a chapter's first page has no head
            expected[index] = squash(label + heading(doc, tag))
    assert len(expected) >= 5
    lines = page_lines(pdf)
    margin = 20 * 72 / 25.4
    for index, head in expected.items():
        found = squash("".join(line.text for line in lines[index] if line.y1 < margin - 6))
        # English: "Chapter 1. Title" (the book class's head); the others: "第1章 Title".
        assert (found.replace(".", "", 1) if tag == "en" else found) == head, index


@pytest.mark.parametrize("cjk", CJK)
def test_no_italic_face_in_cjk_books(cjk: str) -> None:
    faces = [row["name"] for row in pdffonts_rows(pdf_file(cjk))]
    assert [f for f in faces if re.search("italic|oblique", f, re.I)] == []
    # The reference in the timeline that showed it, "本文：2023年2月の状況", is there, upright.
    assert "2023" in "".join(line.text for page in page_lines(pdf_file(cjk)) for line in page)


def test_no_widows_orphans_lone_box_lines_or_stranded_headings(tag: str) -> None:
    pdf = pdf_file(tag)
    left, right = margins(pdf)
    lead = leading(pdf)
    pages = [body(pdf, lines) for lines in page_lines(pdf)]

    def full(line: Line) -> bool:  # a justified line that runs on: it reaches the margin
        return line.x1 >= right - 2

    def indented(line: Line) -> bool:  # in a box or a list
        return line.x0 >= left + 4

    heights = sorted(line.y1 - line.y0 for page in pages for line in page)
    text_height = heights[len(heights) // 2]

    def display(line: Line) -> bool:  # a heading's size
        return line.y1 - line.y0 > 1.2 * text_height

    faults = []
    for index in range(2, len(pages)):
        page, before = pages[index], pages[index - 1]
        if not page:
            continue
        found = runs(page, lead)
        first, last = found[0], found[-1]
        if index > 2 and before and len(first) == 1 and not display(first[0]):
            if full(before[-1]) and not full(first[0]):
                faults.append((index, "widow", first[0].text))
            # A box or list that ran on from the page before and ends here after one line.
            ends = len(found) == 1 or not indented(found[1][0])
            if indented(first[0]) and indented(before[-1]) and ends:
                faults.append((index, "one line of a box or list at the head", first[0].text))
        following = pages[index + 1] if index + 1 < len(pages) else []
        if following and len(last) == 1 and not display(last[0]):
            runs_on = following[0].x0 >= last[0].x0 - 1  # not a heading or a new list item
            if full(last[0]) and runs_on:
                faults.append((index, "orphan", last[0].text))
            # A box or list that starts here with one line and runs on to the next page.
            starts = len(found) == 1 or not indented(found[-2][-1])
            if indented(last[0]) and indented(following[0]) and starts:
                faults.append((index, "one line of a box or list at the foot", last[0].text))
        if following and display(page[-1]):
            faults.append((index, "heading at the foot", page[-1].text))
    assert faults == []


def test_the_html_and_epub_navigation_show_the_pdfs_structure(tag: str) -> None:
    """The EPUB's contents and the site's sidebar list the PDF's parts in the PDF's order,
    each chapter after the label the PDF prints above its title (第1章, 第一章, Chapter 1),
    the front and back matter without one."""
    pdf = pdf_file(tag)
    reader = PdfReader(pdf)
    pages = page_lines(pdf)
    parts = []  # (label, title) of each bookmark of the PDF's top level, in order
    top = [item for item in reader.outline if not isinstance(item, list)]
    for doc, item in zip(order(tag), top, strict=True):
        page = pages[reader.get_destination_page_number(item)]
        text = squash("".join(line.text for line in page))
        title = squash(heading(doc, tag))
        label = re.search(r"第.章|Chapter\d", text[: text.index(title)])
        parts.append((label.group() if label else "", title))
    with zipfile.ZipFile(epub_file(tag)) as book:
        nav = etree.fromstring(book.read("nav.xhtml"))
    xhtml = {"x": "http://www.w3.org/1999/xhtml"}
    epub_entries = [
        a.xpath("string()")
        for a in nav.xpath("//x:nav/x:ol/x:li/x:a", namespaces=xhtml)
        if a.get("href") != "index.xhtml"
    ]
    index = lxml_html.parse(str(html_root(tag) / "index.html"))
    html_entries = [
        a.text_content()
        for a in index.xpath(
            "//div[contains(@class, 'sidebar-tree')]//li[contains(@class, 'toctree-l1')]/a"
        )
    ]
    for entries in (epub_entries, html_entries):
        assert len(entries) == len(parts), entries
        for entry, (label, title) in zip(entries, parts, strict=True):
            shown = squash(entry)
            assert shown.startswith(label) and shown.endswith(title), (entry, label, title)
            # Between the label and the title at most a separator (Chapter 1: Title).
            assert len(shown) - len(label) - len(title) <= 1, entry
