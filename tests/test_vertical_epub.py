"""The vertical (縦書き) Japanese EPUB: valid (W3C epubcheck), right-to-left, every sentence of
the original, short numbers upright in one cell (縦中横), and laid out vertically by a real
browser (Chromium) with the EPUB's own stylesheets, its headings' columns breaking between
phrases only (BudouX's, tests/cjk_lines.py)."""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from cjk_lines import VERTICAL_RL, bad_breaks, measure
from conftest import OPF, epub_file, epub_package, epub_text_of, languages, serve
from lxml import etree
from source_text import Article, squash
from test_epub import EPUBCHECK_JAR

VERTICAL = [lang.tag for lang in languages.published_languages() if lang.vertical_epub]
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module", params=VERTICAL)
def vertical_epub(request: pytest.FixtureRequest) -> Path:
    return epub_file(f"{request.param}-vertical")


def test_the_japanese_edition_has_a_vertical_epub() -> None:
    assert "ja" in VERTICAL


@pytest.mark.slow  # epubcheck
def test_epubcheck_reports_no_errors_and_no_warnings(vertical_epub: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    subprocess.run(
        ["java", "-jar", str(EPUBCHECK_JAR), str(vertical_epub), "--json", str(report)],
        capture_output=True,
        timeout=300,
    )
    messages = json.loads(report.read_text(encoding="utf-8"))["messages"]
    assert [(m["severity"], m["ID"], m["message"]) for m in messages] == []


def test_pages_progress_right_to_left(vertical_epub: Path) -> None:
    with zipfile.ZipFile(vertical_epub) as book:
        _, opf = epub_package(book)
    assert opf.find(".//opf:spine", OPF).get("page-progression-direction") == "rtl"


def test_it_is_a_book_of_its_own(vertical_epub: Path) -> None:
    """Its own identifier and title: a reader's library keeps both EPUBs apart."""
    horizontal = Path(str(vertical_epub).replace("-vertical.epub", ".epub"))
    books = []
    for path in (horizontal, vertical_epub):
        with zipfile.ZipFile(path) as book:
            _, opf = epub_package(book)
        books.append(
            (
                opf.findtext(".//dc:identifier", namespaces=OPF),
                opf.findtext(".//dc:title", namespaces=OPF),
            )
        )
    (h_id, h_title), (v_id, v_title) = books
    assert h_id != v_id
    assert v_title.startswith(h_title) and v_title != h_title


def test_every_sentence_of_the_original_is_in_it(vertical_epub: Path, article: Article) -> None:
    text = squash(epub_text_of(vertical_epub))
    assert [s for s in article.sentences if squash(s) not in text] == []


def marked_runs(vertical_epub: Path) -> dict[str, list[str]]:
    runs: dict[str, list[str]] = {"tcy": [], "upright": []}
    with zipfile.ZipFile(vertical_epub) as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                document = etree.fromstring(book.read(name))
                for style in runs:
                    runs[style] += document.xpath(
                        f"//x:span[@class='{style}']/text()", namespaces=XHTML
                    )
    return runs


def test_short_numbers_are_set_upright_in_one_cell(vertical_epub: Path, article: Article) -> None:
    """Every number of one or two digits standing in Japanese text in the original (2023年2月の
    2, 24日, 1年) is marked 縦中横; longer ones (2023) upright; nothing else is marked."""
    runs = marked_runs(vertical_epub)
    japanese = r"[\u3040-\u30ff\u4e00-\u9fff]"
    in_original = re.findall(rf"(?<={japanese})\d+|\d+(?={japanese})", "\n".join(article.sentences))
    assert in_original, "the original has numbers in Japanese text"
    assert all(re.fullmatch(r"\d{1,2}", run) for run in runs["tcy"]), runs["tcy"]
    assert all(re.fullmatch(r"\d{3,}", run) for run in runs["upright"]), runs["upright"]
    marked = set(runs["tcy"]) | set(runs["upright"])
    assert set(in_original) <= marked


def test_a_chapter_is_laid_out_vertically_in_chromium(
    vertical_epub: Path, browser, tmp_path: Path
) -> None:
    """Chromium renders a chapter with the EPUB's own CSS: the text runs in vertical-rl lines
    that follow each other from right to left; a 縦中横 number takes one character cell."""
    with zipfile.ZipFile(vertical_epub) as book:
        book.extractall(tmp_path)
    chapter = next(tmp_path.rglob("chapters/china-position.xhtml"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(chapter.as_uri())
        layout = page.evaluate(
            """() => {
              const paragraphs = [...document.querySelectorAll('section > p')];
              const tcy = document.querySelector('span.tcy');
              const box = tcy.getBoundingClientRect();
              const em = parseFloat(getComputedStyle(tcy).fontSize);
              return {
                mode: getComputedStyle(document.body).writingMode,
                combine: getComputedStyle(tcy).textCombineUpright,
                lefts: paragraphs.map(p => p.getBoundingClientRect().left),
                tcyHeight: box.height / em,
              };
            }"""
        )
        page.screenshot(path=str(tmp_path / "vertical-chapter.png"))
    finally:
        page.close()
    assert layout["mode"] == "vertical-rl"
    assert layout["combine"] == "all"
    lefts = layout["lefts"]
    assert len(lefts) >= 3 and lefts == sorted(lefts, reverse=True), lefts
    assert layout["tcyHeight"] < 1.3, "a 縦中横 number is one character cell high"


# Pages of reading systems, in CSS pixels: a phone upright and on its side, a 6-inch e-reader.
# In vertical text a column runs down the page: the page's height is the length of a line.
READER_PAGES = [(390, 700), (844, 390), (600, 800)]


def spine_documents(book: zipfile.ZipFile) -> list[str]:
    """The XHTML documents a reader pages through, in the spine's order."""
    opf_path, opf = epub_package(book)
    hrefs = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:item", OPF)}
    return [
        posixpath.join(posixpath.dirname(opf_path), hrefs[ref.get("idref")])
        for ref in opf.iterfind(".//opf:spine/opf:itemref", OPF)
    ]


@pytest.mark.slow  # every spine document at three page sizes, in Chromium
@pytest.mark.parametrize("tag", VERTICAL)
def test_heading_columns_break_between_phrases_in_chromium(
    tag: str, browser, tmp_path: Path
) -> None:
    """Each h1-h3 of each document of the spine, laid out by Chromium with the stylesheets the
    document links: the column of each character (in vertical-rl a line is a column); a new
    column starts only between two of BudouX's phrases (a glossary term one phrase)."""
    with zipfile.ZipFile(epub_file(f"{tag}-vertical")) as book:
        documents = spine_documents(book)
        book.extractall(tmp_path)
    bad, modes, measured, wrapped = [], set(), 0, 0
    with serve(tmp_path) as origin:
        for width, height in READER_PAGES:
            page = browser.new_page(viewport={"width": width, "height": height})
            for document in documents:
                page.goto(f"{origin}/{document}")
                for heading in page.query_selector_all("body :is(h1, h2, h3)"):
                    text, breaks, mode = measure(heading, VERTICAL_RL)
                    modes.add(mode)
                    measured += 1
                    wrapped += bool(breaks)
                    where = f"{width}x{height} {document}"
                    bad += [f"{where}: {b}" for b in bad_breaks(text, breaks, tag)]
            page.close()
    assert modes == {VERTICAL_RL}, "Chromium did not set the headings vertically"
    assert measured >= len(documents) * len(READER_PAGES)
    assert wrapped, "no heading took two columns: nothing was measured"
    assert bad == []
