"""Foliate's own engine reads every EPUB correctly: its build of epub.js, in its own viewer page,
on WebKitGTK, as the Foliate 2 of Debian runs them (tests/foliate_probe.js, under Xvfb).

The probe opens each book with Foliate's default settings, goes to the first chapter
(chapters/china-position) as Foliate's table of contents does, and reports what the engine
laid out: computed styles, the rect of every character of the running paragraphs, of the 縦中横
numbers and of the boxes, and a snapshot of the WebView. The tests assert, from those:

- the writing mode epub.js sees (it reads it from the root element) and the page progression
  it takes from the package (rtl for the vertical book);
- the reading order: in the vertical book characters top to bottom within a column and
  columns right to left; in the others left to right, then downward;
- 縦中横: every short number upright in one character cell;
- the boxes (admonitions) whole on one page where they fit on one;
- the table of contents reaching every document of the spine;
- the glyph forms, from the snapshot's ink inside each character's rect: 、 and 。 in the
  upper right of their cell in vertical text (lower left in horizontal), ー upright in
  vertical text, 「 and 」 turned (their ink wider than tall, 「 below the middle of its cell,
  」 above it).

The snapshots and the engine's reports are kept in build/reading-systems/foliate-engine/ for
a person to look at. src/book/reading_systems.py takes screenshots of the Foliate application
itself (tests/test_reading_systems.py).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import statistics
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EPUBS, OPF, ROOT, epub_package, require
from PIL import Image

from book import layout

pytestmark = pytest.mark.slow  # Foliate's engine under Xvfb, every EPUB

FOLIATE = Path("/usr/share/com.github.johnfactotum.Foliate")
PROBE = Path(__file__).parent / "foliate_probe.js"
OUT = ROOT / "build" / "reading-systems" / "foliate-engine"
CHAPTER = "chapters/china-position.xhtml"
SIZE = (1000, 800)
BOOKS = [edition.basename for edition in EPUBS]
CJK = [book for book in BOOKS if not book.endswith("-en")]
JAPANESE = [book for book in BOOKS if "-ja" in book]
VERTICAL = [book for book in BOOKS if book.endswith("-vertical")]


@dataclass
class Page:
    """What Foliate's engine laid out for a book's chapter page, and its picture."""

    book: str
    data: dict
    image: Image.Image
    marks: list[Image.Image]  # the isolation passes: only some glyphs drawn (foliate_probe.js)

    @property
    def vertical(self) -> bool:
        return self.book.endswith("-vertical")

    @property
    def paragraph(self) -> dict:
        """The chapter's first running paragraph (the first `section > p`)."""
        return self.data["paragraphs"][0]

    def on_screen(self, rect: list[float]) -> bool:
        x, y, w, h = rect
        return x >= 0 and y >= 0 and x + w <= self.image.width and y + h <= self.image.height

    def shown(self, characters: str, paragraphs: list[dict] | None = None) -> list[dict]:
        """The characters of the running paragraphs (or of those given) shown on the page."""
        return [
            c
            for p in (paragraphs or self.data["paragraphs"])
            for c in p["chars"]
            if c["c"] in characters and "pass" in c and self.on_screen(c["rects"][0])
        ]


@pytest.fixture(scope="module")
def foliate_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    missing = [tool for tool in ("gjs", "xvfb-run") if not shutil.which(tool)]
    if missing or not (FOLIATE / "com.github.johnfactotum.Foliate.data.gresource").exists():
        pytest.fail(
            f"Foliate, gjs or Xvfb is missing ({', '.join(missing) or FOLIATE}): "
            "`make system-test` installs them "
            "(Debian packages foliate, gjs, xvfb)"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    home = tmp_path_factory.mktemp("foliate-home")
    jobs = [
        {
            "epub": str(require(layout.DOWNLOADS / f"{book}.epub")),
            "href": CHAPTER,
            "json": str(OUT / f"{book}.json"),
            "png": str(OUT / f"{book}.png"),
        }
        for book in BOOKS
    ]
    for job in jobs:
        Path(job["json"]).unlink(missing_ok=True)
    job_file = home / "job.json"
    job_file.write_text(
        json.dumps(
            {
                "foliate": str(FOLIATE),
                "width": SIZE[0],
                "height": SIZE[1],
                "timeout": 60,
                "books": jobs,
            }
        )
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DBUS_", "XDG_", "GTK_", "DISPLAY", "WAYLAND"))
    }
    environment.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        GSETTINGS_BACKEND="memory",  # Foliate's defaults, from its installed schema
        NO_AT_BRIDGE="1",
    )
    screen = f"-screen 0 {SIZE[0]}x{SIZE[1]}x24 -nolisten tcp"
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", screen, "gjs", str(PROBE), str(job_file)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    pages = {}
    for book, job in zip(BOOKS, jobs, strict=True):
        if Path(job["json"]).exists():
            data = json.loads(Path(job["json"]).read_text())
            pages[book] = Page(book, data, load(job["png"]), [load(m) for m in data["marks"]])
    if result.returncode or len(pages) != len(BOOKS):
        pytest.fail(f"foliate_probe.js failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return pages


def load(path: str) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


@pytest.fixture(params=BOOKS)
def page(request: pytest.FixtureRequest, foliate_pages: dict[str, Page]) -> Page:
    return foliate_pages[request.param]


def _select(request: pytest.FixtureRequest, foliate_pages: dict[str, Page]) -> Page:
    return foliate_pages[request.param]


cjk_page = pytest.fixture(params=CJK, name="cjk_page")(_select)
japanese_page = pytest.fixture(params=JAPANESE, name="japanese_page")(_select)
vertical_page = pytest.fixture(params=VERTICAL, name="vertical_page")(_select)


def test_the_chapter_is_shown(page: Page) -> None:
    assert page.data["location"]["start"] == CHAPTER
    assert page.data["viewport"] == list(SIZE)
    first = page.paragraph["chars"][0]["rects"][0]
    assert page.on_screen(first), f"the first paragraph starts off the page: {first}"


def test_epubjs_takes_the_page_progression_from_the_package(page: Page) -> None:
    with zipfile.ZipFile(layout.DOWNLOADS / f"{page.book}.epub") as book:
        _, opf = epub_package(book)
    declared = opf.find(".//opf:spine", OPF).get("page-progression-direction") or "ltr"
    assert declared == ("rtl" if page.vertical else "ltr")
    assert page.data["packageDirection"] == declared
    assert page.data["renditionDirection"] == declared


def test_the_writing_mode_is_the_books(page: Page) -> None:
    """epub.js reads the writing mode from the root element alone and lays the book out
    along that axis; the body keeps an explicit ltr direction whatever the root gets."""
    mode = "vertical-rl" if page.vertical else "horizontal-tb"
    assert page.data["html"]["writingMode"] == mode
    assert page.data["body"]["writingMode"] == mode
    assert page.data["writingModeSeen"] == mode
    assert page.data["axis"] == ("vertical" if page.vertical else "horizontal")
    assert page.data["body"]["direction"] == "ltr"
    assert page.paragraph["style"]["direction"] == "ltr"


def reading_order_breaks(chars: list[dict], vertical: bool, em: float) -> list[str]:
    """Where a character does not follow the one before it in reading order: the next cell
    down the column (vertical) or to the right on the line (horizontal), or the start of the
    next column to the left (vertical) or of the next line below (horizontal)."""
    breaks = []
    lines = 1
    for before, after in itertools.pairwise(chars):
        (bx, by, bw, bh), (ax, ay, aw, ah) = before["rects"][0], after["rects"][0]
        if vertical:
            same_line = abs((ax + aw / 2) - (bx + bw / 2)) < em / 2
            follows = ay >= by + bh - em / 4 if same_line else ax + aw <= bx + em / 4 and ay < by
        else:
            same_line = abs((ay + ah / 2) - (by + bh / 2)) < em / 2
            follows = ax >= bx + bw - em / 4 if same_line else ay >= by + bh - em / 4 and ax < bx
        lines += not same_line
        if not follows:
            breaks.append(f"{before['c']}{after['c']}: {before['rects'][0]} → {after['rects'][0]}")
    return breaks, lines


def cells(paragraph: dict) -> list[dict]:
    """A paragraph's characters, each with its one box; the digits after the first of a 縦中横
    number share its cell and have none of their own."""
    chars = paragraph["chars"]
    assert all(len(c["rects"]) == 1 or (c["tcy"] and not c["rects"]) for c in chars), chars
    return [c for c in chars if c["rects"]]


def test_the_first_paragraph_reads_in_order(page: Page) -> None:
    chars = cells(page.paragraph)
    breaks, lines = reading_order_breaks(chars, page.vertical, page.paragraph["style"]["fontSize"])
    assert breaks == []
    assert lines >= 2, "the paragraph fills more than one line (column)"


def test_paragraphs_follow_each_other_in_reading_order(page: Page) -> None:
    """Every running paragraph on the page reads in order, and each starts after the one
    before it ends: to its left in vertical text (columns right to left), below it or in the
    next column of the spread (to its right) in horizontal text."""
    shown = [
        p for p in page.data["paragraphs"] if all(page.on_screen(c["rects"][0]) for c in cells(p))
    ]
    assert len(shown) >= 2, "at least two whole running paragraphs on the chapter's first page"
    for paragraph in shown:
        em = paragraph["style"]["fontSize"]
        assert reading_order_breaks(cells(paragraph), page.vertical, em)[0] == []
    for before, after in itertools.pairwise(shown):
        bx, by, bw, _ = cells(before)[-1]["rects"][0]
        ax, ay, _, _ = cells(after)[0]["rects"][0]
        if page.vertical:
            assert ax < bx, (before["text"][:10], after["text"][:10])
        else:
            assert ay > by or ax > bx + bw, (before["text"][:10], after["text"][:10])


def test_short_numbers_stand_upright_in_one_cell(vertical_page: Page) -> None:
    """Each 縦中横 number takes one character cell: one box, as tall as the font size along
    the column and as wide as the column's ideographs (within 15 %), centred on the column;
    its ink (from the snapshot) stays inside that cell, and a single digit stands upright
    (taller than wide) rather than lying on its side."""
    tcy = vertical_page.data["tcy"]
    assert tcy, "the chapter has 縦中横 numbers"
    ideographs = [
        c["rects"][0]
        for p in vertical_page.data["paragraphs"]
        for c in p["chars"]
        if "\u4e00" <= c["c"] <= "\u9fff"
    ]
    # The column's width for one em of the text: a heading's number (第1章) is set larger.
    cell_per_em = (
        statistics.median(r[2] for r in ideographs) / vertical_page.paragraph["style"]["fontSize"]
    )
    for span in tcy:
        assert span["combine"] in ("all", "horizontal"), span
        assert len(span["rects"]) == 1, span
        _, _, w, h = span["rects"][0]
        em = span["fontSize"]
        cell_width = cell_per_em * em
        assert abs(h - em) <= 0.15 * em, span
        assert abs(w - cell_width) <= 0.15 * cell_width, span
        # The ink is measured in the isolation passes of the running text's numbers (a
        # heading's, as 第1章's, has none: foliate_probe.js).
        if vertical_page.on_screen(span["rects"][0]) and span["pass"] is not None:
            ink = glyph_ink(vertical_page, span)
            assert ink, span
            assert ink["width"] <= 1.15 * em and ink["height"] <= 1.15 * em, (span, ink)
            if len(span["text"]) == 1:
                assert ink["height"] > ink["width"], (span, ink)


def test_boxes_are_kept_whole_where_they_fit_on_a_page(page: Page) -> None:
    """An admonition that would fit on one page is not split across pages (columns): it has
    one box. Pages follow each other down the screen in the vertical book (epub.js turns
    them vertically) and across it in the others; a box breaks along the block axis."""
    admonitions = page.data["admonitions"]
    assert admonitions, "the chapter has boxes"
    layout = page.data["layout"]
    # the extent of one page along the block axis: the width of a vertical page, the height
    # of a horizontal one
    page_extent = layout["width"] if page.vertical else layout["height"]
    for box in admonitions:
        extent = sum(r[2] if page.vertical else r[3] for r in box["rects"])
        if extent < page_extent:
            assert len(box["rects"]) == 1, (box["classes"], box["rects"])


def test_the_table_of_contents_reaches_every_document(page: Page) -> None:
    toc = page.data["toc"]
    assert [entry for entry in toc if entry["section"] is None] == []
    assert set(page.data["spine"]) <= {entry["section"] for entry in toc}
    assert any(entry["section"] == CHAPTER for entry in toc)


# --- glyph forms, from the ink of the snapshot ---------------------------------------------


def glyph_ink(page: Page, mark: dict) -> dict | None:
    """The ink of one glyph: in the snapshot of its isolation pass (only the marks of that
    pass drawn, nothing moved), the dark pixels within its box widened by half a cell along
    the line (a glyph may reach out of its box) and a quarter across. Positions are fractions
    of the box: cx 0 at its left, 1 at its right; cy 0 at its top."""
    x, y, w, h = mark["rects"][0]
    em = min(w, h)
    along, across = (em / 2, em / 4) if page.vertical else (em / 4, em / 2)
    left, top = round(x - across), round(y - along)
    crop = page.marks[mark["pass"]].crop((left, top, round(x + w + across), round(y + h + along)))
    grey = crop.convert("L")
    pixels = grey.load()
    ink = [(i, j) for j in range(grey.height) for i in range(grey.width) if pixels[i, j] < 170]
    if not ink:
        return None
    xs = [left + i + 0.5 for i, _ in ink]
    ys = [top + j + 0.5 for _, j in ink]
    return {
        "cx": round((sum(xs) / len(xs) - x) / w, 2),
        "cy": round((sum(ys) / len(ys) - y) / h, 2),
        "width": max(xs) - min(xs) + 1,
        "height": max(ys) - min(ys) + 1,
    }


def test_commas_and_full_stops_sit_in_the_corner_of_their_writing_mode(cjk_page: Page) -> None:
    """、。(and ，) of the first running paragraph: in vertical text their ink lies in the
    upper right of the character cell (the vertical forms); in horizontal text in the lower
    left. Set upright in the horizontal form, a vertical line shows them lower left."""
    marks = cjk_page.shown("、。，", [cjk_page.paragraph])
    assert len(marks) >= 2, "the first paragraph has commas and a full stop on the page"
    wrong = []
    for mark in marks:
        ink = glyph_ink(cjk_page, mark)
        if cjk_page.vertical:
            right = ink and ink["cx"] > 0.6 and ink["cy"] < 0.4
        else:
            right = ink and ink["cx"] < 0.4 and ink["cy"] > 0.6
        if not right:
            wrong.append((mark["c"], mark["rects"][0], ink))
    assert wrong == []


def test_the_long_vowel_mark_follows_the_line(japanese_page: Page) -> None:
    """ー is a stroke along the line: taller than wide in vertical text."""
    marks = japanese_page.shown("ー")
    assert marks, "a running paragraph on the page has ー"
    for mark in marks:
        ink = glyph_ink(japanese_page, mark)
        assert ink, mark
        if japanese_page.vertical:
            assert ink["height"] > 2 * ink["width"], (mark, ink)
        else:
            assert ink["width"] > 2 * ink["height"], (mark, ink)


def test_corner_brackets_are_turned_in_vertical_text(japanese_page: Page) -> None:
    """「 and 」 in vertical text are their vertical forms ﹁ ﹂: the ink wider than tall, 「
    in the lower part of its cell (it opens the text below it), 」 in the upper part. In
    horizontal text: taller than wide, 「 upper right, 」 lower left. (Left and right alone
    do not tell them apart: the horizontal 「 set upright in a column is right of centre too.)
    """
    marks = japanese_page.shown("「」")
    assert {m["c"] for m in marks} == {"「", "」"}, "a running paragraph on the page quotes"
    wrong = []
    for mark in marks:
        ink = glyph_ink(japanese_page, mark)
        opening = mark["c"] == "「"
        if not ink:
            right = False
        elif japanese_page.vertical:
            turned = ink["width"] > ink["height"]
            right = turned and (ink["cy"] > 0.5 if opening else ink["cy"] < 0.5)
        else:
            upright = ink["height"] > ink["width"]
            if opening:
                right = upright and ink["cx"] > 0.5 and ink["cy"] < 0.5
            else:
                right = upright and ink["cx"] < 0.5 and ink["cy"] > 0.5
        if not right:
            wrong.append((mark["c"], mark["rects"][0], ink))
    assert wrong == []
