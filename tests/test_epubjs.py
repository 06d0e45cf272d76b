"""The EPUBs as a reading system lays them out: epub.js (npm `epubjs`, the engine of Foliate
and of many web and app readers) paginating each book in headless Chromium, asked through the
DOM of the documents it rendered, and the pixels of its screenshot.

Checked for every EPUB (each language, and the vertical Japanese one): the writing mode and
direction the engine applies; reading order (characters top to bottom in columns that follow
each other right to left when vertical, left to right in lines that follow each other
downwards otherwise); 、。「」ー in their vertical forms in the vertical book (where the ink of
each glyph lies in its cell); 縦中横 numbers one cell high; page progression; admonitions kept
whole on a page; the table of contents reaching every page of the book, each entry opening
the page it names; every sentence of the original (every translated message, in a
translation) in the text of the pages the engine rendered. A screenshot of each book's first
chapter page is written to build/reading-systems/epubjs-chromium/ for a person to look at.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator

import pytest
from conftest import (
    EPUBS,
    ROOT,
    content_pages,
    edition_order,
    epub_file,
    languages,
    navigation_title,
    serve,
)
from PIL import Image
from source_text import Article, squash
from test_translations import translated_texts

from book import layout

pytestmark = pytest.mark.slow  # epub.js in Chromium, every EPUB

EPUBJS = ROOT / "node_modules" / "epubjs" / "dist" / "epub.min.js"
JSZIP = ROOT / "node_modules" / "jszip" / "dist" / "jszip.min.js"
SCREENSHOTS = layout.BUILD / "reading-systems" / "epubjs-chromium"
WIDTH, HEIGHT = 900, 700
CHAPTER = "chapters/china-position"
BOOKS = [(edition.language.tag, bool(edition.variant)) for edition in EPUBS]
HARNESS = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>epub.js</title>
<script src="jszip.min.js"></script><script src="epub.min.js"></script>
<style>html, body {{ margin: 0; background: #fff; }}
#viewer {{ width: {WIDTH}px; height: {HEIGHT}px; }}</style></head>
<body><div id="viewer"></div></body></html>
"""
OPEN = """async ([name, href, width, height]) => {
  const book = ePub(name);
  const rendition = book.renderTo("viewer", {width, height, flow: "paginated", spread: "none"});
  window.book = book; window.rendition = rendition;
  await book.ready;
  await rendition.display(href);
  return {direction: book.package.metadata.direction || "",
          renditionDirection: rendition.settings.direction || "",
          toc: book.navigation.toc.map(item => [item.label.trim(), item.href]),
          spine: book.spine.spineItems.map(item => item.href)};
}"""
# What the engine laid out, read from the document it rendered (epub.js' Contents).
LAYOUT = """() => {
  const contents = rendition.getContents()[0];
  const doc = contents.document, win = contents.window;
  const frame = document.querySelector("#viewer iframe").getBoundingClientRect();
  const style = element => win.getComputedStyle(element);
  const rect = r => ({x: r.left + frame.left, y: r.top + frame.top, w: r.width, h: r.height});
  const chars = element => {
    const out = [];
    const walker = doc.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        if (!node.data[i].trim()) continue;
        const range = doc.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        const r = range.getClientRects()[0];
        // A 縦中横 number is one cell: its first digit stands for it.
        const tcy = node.parentElement.closest(".tcy");
        if (tcy && i > 0) continue;
        if (r) out.push({c: node.data[i], ...rect(tcy ? tcy.getBoundingClientRect() : r)});
      }
    }
    return out;
  };
  const running = [...doc.querySelectorAll("section > p")]
    .sort((a, b) => b.textContent.length - a.textContent.length);
  const fontSize = parseFloat(style(running[0]).fontSize);
  return {
    html: [style(doc.documentElement).writingMode, style(doc.documentElement).direction],
    body: [style(doc.body).writingMode, style(doc.body).direction],
    fontSize,
    paragraph: chars(running[0]),
    all: chars(doc.body),
    tcy: [...doc.querySelectorAll(".tcy")].map(
      e => ({...rect(e.getBoundingClientRect()), fontSize: parseFloat(style(e).fontSize)})),
    boxes: [...doc.querySelectorAll("div.admonition, div.qa")].map(e => ({
      fragments: e.getClientRects().length,
      size: style(doc.documentElement).writingMode.startsWith("vertical")
        ? e.getBoundingClientRect().width : e.getBoundingClientRect().height})),
    page: {w: frame.width, h: frame.height, viewW: window.innerWidth, viewH: window.innerHeight},
  };
}"""
TEXT = """async (href) => {
  await rendition.display(href);
  const doc = rendition.getContents()[0].document;
  return {text: doc.body.innerText, heading: (doc.querySelector("h1") || {}).textContent || ""};
}"""


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for script in (EPUBJS, JSZIP):
        if not script.exists():
            pytest.fail(f"{script.relative_to(ROOT)} is missing: `make test` installs it (npm ci)")
    folder = tmp_path_factory.mktemp("epubjs")
    shutil.copy(EPUBJS, folder)
    shutil.copy(JSZIP, folder)
    (folder / "index.html").write_text(HARNESS, encoding="utf-8")
    for tag, vertical in BOOKS:
        shutil.copy(epub_file(f"{tag}-vertical" if vertical else tag), folder)
    with serve(folder) as origin:
        yield f"{origin}/index.html"


def book_name(tag: str, vertical: bool) -> str:
    (edition,) = [e for e in EPUBS if e.language.tag == tag and bool(e.variant) == vertical]
    return edition.basename


@pytest.fixture(scope="module", params=BOOKS, ids=[book_name(*b) for b in BOOKS])
def rendered(request: pytest.FixtureRequest, browser, harness: str) -> Iterator[dict]:
    tag, vertical = request.param
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(harness)
    name = book_name(tag, vertical)
    book = page.evaluate(OPEN, [f"{name}.epub", f"{CHAPTER}.xhtml", WIDTH, HEIGHT])
    page.wait_for_timeout(300)
    layout = page.evaluate(LAYOUT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(shot))
    yield {
        "tag": tag,
        "vertical": vertical,
        "book": book,
        "layout": layout,
        "screenshot": Image.open(shot).convert("L"),
        "page": page,
        "errors": errors,
    }
    page.close()


def test_the_engine_lays_the_book_out_in_its_writing_mode(rendered: dict) -> None:
    layout, book = rendered["layout"], rendered["book"]
    assert rendered["errors"] == []
    mode = "vertical-rl" if rendered["vertical"] else "horizontal-tb"
    # The root too: epub.js takes the book's writing mode from the root element alone.
    assert layout["html"][0] == mode
    assert layout["body"] == [mode, "ltr"]
    progression = "rtl" if rendered["vertical"] else "ltr"
    assert book["direction"] == progression
    assert book["renditionDirection"] == progression


def steps(chars: list[dict], vertical: bool) -> list[str]:
    """How reading moves from each character to the next: along the line, or to a new line
    (column) after it; anything else is out of order."""
    moves = []
    for a, b in itertools.pairwise(chars):
        size = max(a["w"], a["h"], 1)
        if vertical:
            along = abs(b["x"] - a["x"]) < size / 2 and b["y"] > a["y"]
            next_line = b["x"] < a["x"] - size / 2 and b["y"] < a["y"]
        else:
            along = abs(b["y"] - a["y"]) < size / 2 and b["x"] > a["x"]
            next_line = b["y"] > a["y"] + size / 2 and b["x"] < a["x"]
        moves.append("along" if along else "next line" if next_line else f"{a['c']}→{b['c']}")
    return moves


def test_reading_order_follows_the_writing_mode(rendered: dict) -> None:
    paragraph = rendered["layout"]["paragraph"]
    assert len(paragraph) > 40
    moves = steps(paragraph, rendered["vertical"])
    assert [m for m in moves if m not in ("along", "next line")] == []
    assert "next line" in moves  # the paragraph has several lines (columns)


def ink(image: Image.Image, box: dict) -> tuple[float, float, float, float] | None:
    """Where the dark pixels of a glyph's cell lie: centre (x, y) relative to the cell,
    from -0.5 to 0.5, and the ink's width and height."""
    left, top = int(box["x"]), int(box["y"])
    cell = image.crop((left, top, int(left + box["w"]), int(top + box["h"])))
    dark = [
        (x, y) for x in range(cell.width) for y in range(cell.height) if cell.getpixel((x, y)) < 128
    ]
    if not dark or not cell.width or not cell.height:
        return None
    xs, ys = [p[0] for p in dark], [p[1] for p in dark]
    return (
        (sum(xs) / len(xs) + 0.5) / cell.width - 0.5,
        (sum(ys) / len(ys) + 0.5) / cell.height - 0.5,
        max(xs) - min(xs) + 1,
        max(ys) - min(ys) + 1,
    )


def visible(chars: list[dict], page: dict, wanted: str) -> list[dict]:
    return [
        c
        for c in chars
        if c["c"] in wanted
        and c["x"] >= 0
        and c["x"] + c["w"] <= page["viewW"]
        and c["y"] >= 0
        and c["y"] + c["h"] <= page["viewH"]
    ]


def test_punctuation_takes_the_form_of_the_writing_mode(rendered: dict) -> None:
    layout, image = rendered["layout"], rendered["screenshot"]
    checked = 0
    for char in visible(layout["all"], layout["page"], "、。「」ー，,."):
        found = ink(image, char)
        if found is None:
            continue
        x, y, width, height = found
        if rendered["vertical"]:
            # Vertical forms: 、。 in the upper right of the cell, 「 turned (its ink right of
            # the centre), 」 left of it, ー a vertical bar.
            expected = {
                "、": x > 0 and y < 0,
                "。": x > 0 and y < 0,
                "「": x > 0,
                "」": x < 0,
                "ー": height > width,
            }[char["c"]]
        else:
            # (Not 「」: a browser may trim their blank half, text-spacing-trim.)
            expected = {
                "、": x < 0 and y > 0,
                "。": x < 0 and y > 0,
                "，": x < 0 and y > 0,
                ",": y > 0,
                ".": y > 0,
                "ー": width > height,
            }.get(char["c"], True)
        assert expected, f"{char['c']} at {char}: ink centre ({x:.2f}, {y:.2f}), {width}×{height}"
        checked += 1
    assert checked >= 5


def test_tate_chu_yoko_numbers_take_one_cell(rendered: dict) -> None:
    layout = rendered["layout"]
    if not rendered["vertical"]:
        assert layout["tcy"] == []
        return
    assert layout["tcy"]
    for box in layout["tcy"]:
        size = box["fontSize"]  # a heading's (第1章) is larger than the text's
        assert abs(box["h"] - size) <= 0.25 * size, box
        assert box["w"] <= 1.6 * size, box


def test_boxes_are_kept_whole_on_a_page(rendered: dict) -> None:
    layout = rendered["layout"]
    extent = layout["page"]["w"] if rendered["vertical"] else layout["page"]["h"]
    boxes = [b for b in layout["boxes"] if b["size"] < 0.8 * extent]
    assert boxes
    assert [b for b in boxes if b["fragments"] != 1] == []


def test_the_contents_open_every_page_and_the_pages_hold_the_whole_text(
    rendered: dict, article: Article
) -> None:
    tag, page, book = rendered["tag"], rendered["page"], rendered["book"]
    labels = {href.split("#")[0]: label for label, href in book["toc"]}
    texts = []
    for doc in content_pages_in_order(tag):
        href = f"{doc}.xhtml"
        title = plain(navigation_title(doc, tag))
        assert plain(labels.get(href, "")) == title, href
        shown = page.evaluate(TEXT, href)
        assert plain(shown["heading"]) == title
        texts.append(shown["text"])
    assert [s.split("#")[0] for s in book["spine"]] == [
        f"{d}.xhtml" for d in content_pages_in_order(tag)
    ]
    flat = plain("".join(texts))
    wanted = article.sentences if tag == languages.SOURCE_LANGUAGE else translated_texts(tag)
    missing = [s for s in wanted if plain(s) not in flat]
    assert len(wanted) > 40 and missing == []


def plain(text: str) -> str:
    """Text to compare, without white space and with the book's curled apostrophes straight."""
    return squash(text).replace("’", "'")


def content_pages_in_order(tag: str) -> list[str]:
    """The book's pages in the edition's reading order: the front page, then its contents."""
    pages = edition_order(tag)
    assert sorted(pages) == sorted(content_pages())
    return pages
