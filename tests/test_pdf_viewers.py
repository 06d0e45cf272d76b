"""Every PDF in three real PDF viewers: poppler, MuPDF and pdf.js.

poppler (pdftoppm, pdftotext) is the engine of Evince, Okular and most Linux readers; MuPDF
(mutool, Debian's mupdf-tools) that of SumatraPDF and many e-readers; pdf.js (npm
pdfjs-dist, run in Debian's Chromium through Playwright, tests/pdfjs_viewer.html) is
Firefox's own viewer. For the PDF of every language, each viewer

- renders every page without reporting an error or a warning, and no page comes out blank;
- gives back, as text a reader copies or searches, every sentence of the original (for a
  translation: every message of its catalogs) in the book's reading order, character for
  character: no look-alike code point (a CJK radical, a compatibility ideograph or form, a
  ligature) in place of a character of the text, and nothing unreadable (private use,
  U+FFFD, control characters);
- finds the name the book is about (習近平, Xi Jinping, 习近平: locale/glossary.toml) on
  the pages where poppler finds it; pdf.js through its find bar's search, highlighted in its
  text layer, and in the text of that layer.

The bookmarks (the PDF outline, read by pypdf) are the book's chapters and their sections,
in order, and each opens its page where its title stands.

Only white space (and a hyphen at a line end, which English hyphenation adds) is normalised,
and the typographic quotes that Sphinx's smartquotes sets for ' and ". Look-alikes are not
normalised: a viewer that gives ⽴ (KANGXI RADICAL STAND) for 立 fails (proven below).
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import polib
import pytest
from conftest import (
    DOCS,
    LANGUAGES,
    ROOT,
    SOURCE_LANGUAGE,
    QuietHandler,
    edition_order,
    pdf_body_text,
    pdf_file,
    serve,
    without_chapter_number,
)
from pypdf import PdfReader
from source_text import Article, squash

from book import layout, translations
from book.pages import COLOPHON

VIEWERS = ("poppler", "mupdf", "pdf.js")
PDFJS = ROOT / "node_modules" / "pdfjs-dist"
PDFJS_PAGE = Path(__file__).with_name("pdfjs_viewer.html")
# The running head and the page number lie in the page's top and bottom margins (conf.py:
# vmargin 20 mm); the text block lies between these lines (as tests/conftest.py pdf_text).
HEAD_MM, FOOT_MM = 19, 16
MM = 72 / 25.4
# Rendering: enough to see whether a page has ink, and fast. Ink: a pixel darker than
# near-white (grey level below this, of 255), as small coloured text at 30 dpi is light.
RENDER_DPI = 30
INK = 240

# Code points that look like a character of the text but are another: what a viewer gives
# back when a font's ToUnicode maps a glyph to the wrong one of the code points that share
# it (Noto CJK draws ⽴ U+2F74 and 立 U+7ACB with one glyph). A reader's search for 立 then
# misses the word, and a copy pastes the radical. NFKC would fold some of these (not the
# Radicals Supplement), so the check does not rely on it: it looks for the blocks. (pdf.js
# folds the Latin ligatures itself, normalizeUnicode in its worker; nothing of the CJK.)
LOOKALIKE_BLOCKS = (
    (0x2E80, 0x2EFF, "CJK Radicals Supplement"),
    (0x2F00, 0x2FDF, "Kangxi Radicals"),
    (0xF900, 0xFAFF, "CJK Compatibility Ideographs"),
    (0xFB00, 0xFB06, "Latin ligatures (Alphabetic Presentation Forms)"),
    (0xFE10, 0xFE1F, "Vertical Forms"),
    (0xFE30, 0xFE4F, "CJK Compatibility Forms"),
    (0x2F800, 0x2FA1F, "CJK Compatibility Ideographs Supplement"),
)
# What a viewer gives back for a glyph it cannot map to a character (no ToUnicode entry).
UNREADABLE = re.compile(
    r"[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]"
)

pytestmark = pytest.mark.slow  # pdf.js and MuPDF on every PDF
# Sphinx's smartquotes set ' and " of the English text as ’ ‘ “ ”.
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
# A hyphen that ends a line after a letter: English hyphenation (poppler removes it itself).
LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\n\s*")


# -- What the book says, in reading order -------------------------------------------------------


def book_order(tag: str = SOURCE_LANGUAGE) -> list[str]:
    """The book's pages in an edition's reading order (conftest.edition_order)."""
    return edition_order(tag)


def headings(doc: str) -> list[tuple[int, str]]:
    """A page's headings (level, title) in its source, in order."""
    text = (DOCS / f"{doc}.md").read_text(encoding="utf-8")
    return [(len(m[1]), m[2].strip()) for m in re.finditer(r"^(#{1,6}) (.+)$", text, re.M)]


@functools.cache
def heading_labels() -> dict[str, tuple[str, str]]:
    """Labels that stand right before a heading (`(label)=` then `# title`): a {ref} to one
    without text of its own shows that heading's title."""
    labels = {}
    for doc in book_order():
        text = (DOCS / f"{doc}.md").read_text(encoding="utf-8")
        for m in re.finditer(r"^\(([\w-]+)\)=\n+#{1,6} (.+)$", text, re.M):
            labels[m[1]] = (doc, m[2].strip())
    return labels


ROLE = re.compile(r"\{[\w:]+\}`([^`]*?)`")


def rendered(message: str, tag: str) -> list[str]:
    """A message as the reader sees it, without its MyST markup. A role shows its text, or
    (without one) the title of the heading it points to; where that title is unknown, the
    text is cut there and each side is returned."""

    def role(match: re.Match[str]) -> str:
        content = match[1]
        explicit = re.fullmatch(r"(.*?)\s*<([^>]*)>", content, re.S)
        if explicit:
            return explicit[1]
        if content in heading_labels():
            doc, title = heading_labels()[content]
            return translations.translate(tag, doc, title)
        return "\0"

    text = ROLE.sub(role, message)
    text = re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", text)  # [名前]{.language-ja}
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](target)
    text = re.sub(r"<((?:https?|mailto):[^>]*)>", r"\1", text)  # <https://…>
    text = re.sub(r"(?<!\\)[*`]", "", text)  # emphasis, inline code
    return [piece.strip() for piece in text.split("\0") if piece.strip()]


def in_the_pdf(doc: str, entry: polib.POEntry) -> bool:
    """Whether the PDF prints a message of a page. It does not print the front matter's (the
    description for sharing: an occurrence without a line, unless the page's text says the
    same) or a toctree's caption (the contents page has LaTeX's own title)."""
    text = (DOCS / f"{doc}.md").read_text(encoding="utf-8")
    front = re.match(r"---\n(.*?)\n---\n", text, re.S)
    values = re.findall(r'^\s*\w+: "(.*)"$', front[1], re.M) if front else []
    captions = re.findall(r"^```\{toctree\}\n(?::\w+:.*\n)*?:caption: (.+)$", text, re.M)
    if entry.msgid in captions:
        return False
    return not (entry.msgid in values and not any(line for _, line in entry.occurrences))


def printed_place(entry: polib.POEntry, entries: list[polib.POEntry]) -> int:
    """Where a page prints a message, as an index into its catalog's order. A message that is
    also the page's description (front matter, met first, without a line) is printed at its
    line: before the first other message from a later line."""
    index = entries.index(entry)
    lines = [int(line) for _, line in entry.occurrences if line]
    if not lines or all(line for _, line in entry.occurrences):
        return 2 * index
    later = [
        n
        for n, other in enumerate(entries)
        if other is not entry
        and any(line and int(line) > min(lines) for _, line in other.occurrences)
    ]
    return 2 * min(later) - 1 if later else 2 * len(entries)


def translated_messages(tag: str) -> list[str]:
    """Every message of a translation's page catalogs as rendered, page by page in reading
    order. Within a page, a catalog lists its messages in the order Sphinx met them in the
    page (a message used twice, once). Docutils' line numbers cannot order them: a glossary
    term has none, and its definition's count from the glossary's start. Untranslated or
    fuzzy messages fall back to the original, as the build does."""
    by_page: dict[str, list[str]] = {}
    for doc in book_order(tag):
        catalog = polib.pofile(str(layout.LOCALE / tag / "LC_MESSAGES" / f"{doc}.po"))
        entries = [e for e in catalog if not e.obsolete and in_the_pdf(doc, e)]
        for entry in sorted(entries, key=lambda e: printed_place(e, entries)):
            shown = rendered(entry.msgstr if entry.translated() else entry.msgid, tag)
            by_page.setdefault(doc, []).extend(shown)
    order = book_order(tag)
    if order[1:2] == [COLOPHON]:
        # An imprint page in front stands on the back of the title page: after the book's
        # title, before the root page's opening (lead, key points), which the contents follow.
        title, *opening = by_page.pop("index")
        return [
            title,
            *by_page.pop(COLOPHON),
            *opening,
            *(m for d in order[2:] for m in by_page[d]),
        ]
    return [m for doc in order for m in by_page.get(doc, [])]


def original_sentences(article: Article) -> list[str]:
    """Every sentence of the original, in the book's reading order: where it first stands in
    the book's source, page by page. That is the article's order but for one documented
    move (README, "From article to book"): the date of a cited source stands beside its
    citation, after the summary it dates."""
    pages = [(DOCS / f"{doc}.md").read_text(encoding="utf-8") for doc in book_order()]
    # The front matter (a page's description for sharing) is no text of the page.
    source = squash("".join(re.sub(r"\A---\n.*?\n---\n", "", page, flags=re.S) for page in pages))
    place = {s: source.find(squash(s)) for s in article.sentences}
    assert [s for s, at in place.items() if at < 0] == [], "sentences missing from docs/"
    return sorted(article.sentences, key=place.__getitem__)


def expected_passages(tag: str, article: Article) -> list[str]:
    if tag == SOURCE_LANGUAGE:
        return original_sentences(article)
    return translated_messages(tag)


def book_source_text(tag: str) -> str:
    """Everything the edition is made from: the pages and the language's catalogs."""
    files = sorted(DOCS.rglob("*.md"))
    if tag != SOURCE_LANGUAGE:
        files += sorted((layout.LOCALE / tag / "LC_MESSAGES").rglob("*.po"))
    return "".join(path.read_text(encoding="utf-8") for path in files)


# -- Comparing -----------------------------------------------------------------------------------


def flat(text: str) -> str:
    """Text for comparing: line-end hyphens and white space out, typographic quotes plain."""
    return squash(LINE_END_HYPHEN.sub("", text)).translate(QUOTES)


def passage_pattern(passage: str) -> re.Pattern[str]:
    """A passage as a pattern over flat() text: its hyphens may have been a line end's."""
    return re.compile(re.escape(flat(passage)).replace(r"\-", "-?"))


def reading_order_problems(text: str, passages: list[str]) -> list[str]:
    """Each passage in the text, each after the one before it. The problems: a passage that
    is not there at all, and one that stands only before its predecessor (out of order)."""
    text = flat(text)
    problems, at = [], 0
    for passage in passages:
        pattern = passage_pattern(passage)
        found = pattern.search(text, at)
        if found:
            at = found.end()
        elif pattern.search(text):
            problems.append(f"out of order: {passage}")
        else:
            problems.append(f"missing: {passage}")
    return problems


def lookalikes(text: str, source: str) -> list[str]:
    """Look-alike code points in a viewer's text that the book's source does not have."""
    allowed = set(source)
    found = Counter(
        ch
        for ch in text
        if ch not in allowed and any(lo <= ord(ch) <= hi for lo, hi, _ in LOOKALIKE_BLOCKS)
    )
    return [
        f"U+{ord(ch):04X} {ch} {unicodedata.name(ch, '?')} "
        f"({next(name for lo, hi, name in LOOKALIKE_BLOCKS if lo <= ord(ch) <= hi)}) ×{n}"
        for ch, n in sorted(found.items())
    ]


def unreadable(text: str) -> list[str]:
    return [f"U+{ord(ch):04X} ×{n}" for ch, n in sorted(Counter(UNREADABLE.findall(text)).items())]


def searchable(text: str) -> str:
    """Text as a search sees it: white space one space, none beside CJK (luatexja and ctex
    space Latin from CJK; a reader types no space there), line-end hyphens out."""
    text = re.sub(r"\s+", " ", LINE_END_HYPHEN.sub("", text))
    cjk = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
    return re.sub(rf"(?<={cjk}) | (?={cjk})", "", text)


def pages_with(pages: list[str], query: str) -> list[tuple[int, int]]:
    """(page number, matches) of each page whose text has the query."""
    query = searchable(query)
    found = [(n, searchable(text).count(query)) for n, text in enumerate(pages, start=1)]
    return [(n, k) for n, k in found if k]


# -- The viewers -------------------------------------------------------------------------------


@dataclass
class Reading:
    """What one viewer made of one PDF."""

    pages: list[str]  # the text of each page, as the viewer gives it back
    body: str  # every page's text block, without running head and page number
    ink: list[float]  # share of inked pixels of each page as rendered
    complaints: list[str] = field(default_factory=list)  # errors and warnings it reported


def page_heights(pdf: Path) -> list[float]:
    return [float(page.mediabox.height) for page in PdfReader(pdf).pages]


def ink_of_images(images: list[Path]) -> list[float]:
    """The share of a rendered page's pixels that are ink."""
    from PIL import Image

    shares = []
    for image in images:
        with Image.open(image) as picture:
            grey = picture.convert("L")
            histogram = grey.histogram()
            shares.append(sum(histogram[:INK]) / (grey.width * grey.height))
    return shares


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def complaints_of(result: subprocess.CompletedProcess[str], tool: str) -> list[str]:
    """A viewer's error output, line by line, and a failing exit status."""
    found = [f"{tool}: {line}" for line in result.stderr.splitlines() if line.strip()]
    if result.returncode != 0:
        found.append(f"{tool}: exit status {result.returncode}")
    return found


def render_with_poppler(pdf: Path) -> tuple[list[float], list[str]]:
    with tempfile.TemporaryDirectory() as out:
        result = run(["pdftoppm", "-r", str(RENDER_DPI), "-png", str(pdf), f"{out}/page"])
        return ink_of_images(sorted(Path(out).glob("page-*.png"))), complaints_of(
            result, "pdftoppm"
        )


def read_with_poppler(pdf: Path) -> Reading:
    ink, complaints = render_with_poppler(pdf)
    result = run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"])
    complaints += complaints_of(result, "pdftotext")
    pages = result.stdout.split("\f")[: len(ink)]
    body = pdf_body_text(pdf, top_mm=HEAD_MM, bottom_mm=FOOT_MM)
    return Reading(pages=pages, body=body, ink=ink, complaints=complaints)


# Debian's MuPDF is built without colour management, and `mutool draw` says so ("warning:
# ICC support is not available") for any PDF, an empty page too; -N (no ICC workflow) asks
# for none, so that what stays on stderr is about the PDF.
MUTOOL_DRAW = ["mutool", "draw", "-q", "-N"]


def render_with_mupdf(pdf: Path) -> tuple[list[float], list[str]]:
    with tempfile.TemporaryDirectory() as out:
        command = [*MUTOOL_DRAW, "-r", str(RENDER_DPI), "-F", "png", "-o", f"{out}/page-%03d.png"]
        result = run([*command, str(pdf)])
        return ink_of_images(sorted(Path(out).glob("page-*.png"))), complaints_of(
            result, "mutool draw"
        )


def read_with_mupdf(pdf: Path) -> Reading:
    """MuPDF's structured text (`mutool draw -F stext.json`: what `-F txt` prints, with each
    line's box), so that the running head and foot can be left out of the body."""
    ink, complaints = render_with_mupdf(pdf)
    result = run([*MUTOOL_DRAW, "-F", "stext.json", "-o", "-", str(pdf)])
    complaints += complaints_of(result, "mutool draw -F stext.json")
    document = json.loads(result.stdout)
    pages, body = [], []
    for page, height in zip(document["pages"], page_heights(pdf), strict=True):
        blocks, kept = [], []
        for block in page["blocks"]:
            lines = block.get("lines", [])
            blocks.append("\n".join(line["text"] for line in lines))
            for line in lines:
                middle = line["bbox"]["y"] + line["bbox"]["h"] / 2
                if HEAD_MM * MM <= middle <= height - FOOT_MM * MM:
                    kept.append(line["text"])
        pages.append("\n\n".join(blocks))
        body.append("\n".join(kept))
    return Reading(pages=pages, body="\n".join(body), ink=ink, complaints=complaints)


@dataclass
class PdfjsResult:
    reading: Reading
    found: dict  # pdf.js's search for the book's name: its pages and the highlighted match


class PdfjsHandler(QuietHandler):
    """Serves the pdf.js page, pdfjs-dist under /pdfjs/, and the PDFs under /downloads/."""

    extensions_map: ClassVar = {**QuietHandler.extensions_map, ".mjs": "text/javascript"}
    folders: ClassVar[dict[str, Path]] = {}

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == "/viewer.html":
            return str(PDFJS_PAGE)
        prefix, _, rest = path.lstrip("/").partition("/")
        folder = self.folders.get(prefix)
        if folder is None or ".." in rest.split("/"):
            return str(ROOT / "nonexistent")
        return str(folder / rest)


@pytest.fixture(scope="session")
def pdfjs_server() -> Iterator[tuple[str, dict[str, Path]]]:
    if not (PDFJS / "build" / "pdf.mjs").exists():
        pytest.fail(f"{PDFJS.relative_to(ROOT)} is missing: `make test` installs it (npm ci)")
    folders = {"pdfjs": PDFJS, "downloads": pdf_file(SOURCE_LANGUAGE).parent}
    with serve(PDFJS, type("Handler", (PdfjsHandler,), {"folders": folders})) as origin:
        yield origin, folders


def read_with_pdfjs(browser, base: str, url: str, query: str | None) -> PdfjsResult:
    """Open a PDF in pdf.js, read every page's text layer, and search it for a query."""
    page = browser.new_page(viewport={"width": 1000, "height": 900}, device_scale_factor=1)
    complaints: list[str] = []

    def console(message) -> None:
        # pdf.js reports a problem with a PDF as console.log("Warning: …") or an error.
        if message.type in ("error", "warning") or message.text.startswith(("Warning:", "Error:")):
            complaints.append(f"pdf.js console {message.type}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: complaints.append(f"pdf.js page error: {error}"))
    try:
        page.goto(f"{base}/viewer.html")
        page.wait_for_function("window.pdfjsReady === true")
        opened = page.evaluate("url => openPdf(url)", url)
        found = page.evaluate("query => findInPdf(query)", query) if query else {}
    finally:
        page.close()
    pages, body = [], []
    for number, view in enumerate(opened["pages"], start=1):
        pages.append("".join(piece["text"] for piece in view["pieces"]))
        top, bottom = HEAD_MM * MM / view["height"], 1 - FOOT_MM * MM / view["height"]
        body.append(
            "".join(
                piece["text"]
                for piece in view["pieces"]
                if piece["middle"] is None or top <= piece["middle"] <= bottom
            )
        )
        assert view["number"] == number
    reading = Reading(
        pages=pages,
        body="\n".join(body),
        ink=[view["ink"] for view in opened["pages"]],
        complaints=complaints + [f"pdf.js: {error}" for error in opened["errors"]],
    )
    return PdfjsResult(reading=reading, found=found)


def book_name(tag: str) -> str:
    """The name the book is about, in the edition's language (locale/glossary.toml)."""
    (term,) = [t for t in translations.glossary() if t["ja"] == "習近平"]
    return term[tag]


@pytest.fixture(scope="session")
def pdfjs_results(browser, pdfjs_server) -> dict[str, PdfjsResult]:
    base, _ = pdfjs_server
    results = {}
    for tag in LANGUAGES:
        pdf = pdf_file(tag)
        url = f"{base}/downloads/{pdf.name}"
        results[tag] = read_with_pdfjs(browser, base, url, book_name(tag))
    return results


@functools.cache
def poppler_reading(tag: str) -> Reading:
    return read_with_poppler(pdf_file(tag))


@functools.cache
def mupdf_reading(tag: str) -> Reading:
    return read_with_mupdf(pdf_file(tag))


@pytest.fixture(params=VIEWERS)
def reading(request: pytest.FixtureRequest, tag: str) -> Reading:
    if request.param == "poppler":
        return poppler_reading(tag)
    if request.param == "mupdf":
        return mupdf_reading(tag)
    return request.getfixturevalue("pdfjs_results")[tag].reading


# -- The tests -------------------------------------------------------------------------------


def test_every_page_renders_without_error(reading: Reading, tag: str) -> None:
    pages = len(PdfReader(pdf_file(tag)).pages)
    assert reading.complaints == []
    assert len(reading.ink) == len(reading.pages) == pages
    # Every page of the book has text: a page with (almost) no ink was drawn blank.
    assert [n for n, ink in enumerate(reading.ink, start=1) if ink < 0.002] == []


def test_text_has_every_passage_in_reading_order(
    reading: Reading, tag: str, article: Article
) -> None:
    passages = expected_passages(tag, article)
    assert len(passages) > 30
    problems = reading_order_problems(reading.body, passages)
    assert problems == [], f"{len(problems)} of {len(passages)} passages"


def test_text_has_no_lookalike_or_unreadable_characters(reading: Reading, tag: str) -> None:
    text = "\n".join(reading.pages)
    assert lookalikes(text, book_source_text(tag)) == []
    assert unreadable(text) == []


def test_pdfjs_finds_the_name_where_poppler_does(tag: str, pdfjs_results) -> None:
    name = book_name(tag)
    found = pdfjs_results[tag].found
    expected = pages_with(poppler_reading(tag).pages, name)
    assert expected, f"poppler finds no {name}"
    # pdf.js's own search (its find bar), and its text layer: the text a reader selects.
    assert [tuple(page) for page in found["pages"]] == expected
    assert pages_with(pdfjs_results[tag].reading.pages, name) == expected
    assert pages_with(mupdf_reading(tag).pages, name) == expected
    # The first match is highlighted in the text layer, on the first page that has it.
    assert found["highlighted"]["page"] == expected[0][0]
    assert searchable(found["highlighted"]["text"]) == searchable(name)


def outline(pdf: Path) -> list[tuple[int, str, int, float]]:
    """The PDF's bookmarks: (level, title, page number, top of the destination in points
    from the page's top)."""
    reader = PdfReader(pdf)
    found = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            number = reader.get_destination_page_number(item)
            height = float(reader.pages[number].mediabox.height)
            top = height - float(item.top) if item.top is not None else 0.0
            found.append((level, item.title, number + 1, top))

    walk(reader.outline, 1)
    return found


def test_bookmarks_are_the_chapters_and_sections_in_order(tag: str) -> None:
    expected = [
        (level, translations.translate(tag, doc, title))
        for doc in book_order(tag)[1:]  # the root page is the title page and front matter
        for level, title in headings(doc)
        if level <= 2
    ]
    found = [
        (level, without_chapter_number(title).translate(QUOTES))
        for level, title, _, _ in outline(pdf_file(tag))
    ]
    assert found == expected


# Before a title, its number: "第1章", "Chapter 1", "5.1" (at most this many characters).
TITLE_NUMBER = 12


def bookmark_problems(pdf: Path, bookmarks: list[tuple[int, str, int, float]]) -> list[str]:
    """Each bookmark opens its page where its title stands: the page's text (poppler) from
    the destination's top (below the running head) down starts with the title, after its
    number."""
    reader = PdfReader(pdf)
    problems = []
    for _level, title, number, top in bookmarks:
        if not 1 <= number <= len(reader.pages):
            problems.append(f"{title}: page {number} of {len(reader.pages)}")
            continue
        y = max(top, HEAD_MM * MM)
        height = float(reader.pages[number - 1].mediabox.height) - FOOT_MM * MM - y
        below = run(
            [
                "pdftotext", "-q", "-enc", "UTF-8", "-r", "72", "-f", str(number), "-l",
                str(number), "-x", "0", "-y", str(int(y)), "-W", "1000", "-H", str(int(height)),
                str(pdf), "-",
            ]
        ).stdout  # fmt: skip
        found = passage_pattern(title).search(flat(below))
        if not found or found.start() > TITLE_NUMBER:
            problems.append(f"{title}: not where page {number} opens ({below[:40]!r})")
    return problems


def test_each_bookmark_opens_the_page_at_its_title(tag: str) -> None:
    bookmarks = outline(pdf_file(tag))
    assert len(bookmarks) >= 6
    assert bookmark_problems(pdf_file(tag), bookmarks) == []


# -- The checks bite ---------------------------------------------------------------------------

# Characters of the original and a look-alike of each that a wrong ToUnicode map gives: the
# Kangxi radical and the Radicals Supplement form that Noto CJK draws with the character's
# glyph, and a compatibility ideograph (NFKC folds the first and last; nothing folds ⻄).
MUTATIONS = (("立", "\u2f74"), ("西", "\u2ec4"), ("力", "\uf98a"))


@pytest.mark.parametrize(("character", "lookalike"), MUTATIONS)
def test_the_lookalike_check_bites(character: str, lookalike: str, article: Article) -> None:
    """poppler's text of the Japanese PDF with one character replaced by its look-alike: the
    look-alike is named, and every sentence with the character is missing."""
    reading = poppler_reading(SOURCE_LANGUAGE)
    text = "\n".join(reading.pages).replace(character, lookalike)
    assert lookalikes(text, book_source_text(SOURCE_LANGUAGE)) == [
        f"U+{ord(lookalike):04X} {lookalike} {unicodedata.name(lookalike)} "
        f"({next(n for lo, hi, n in LOOKALIKE_BLOCKS if lo <= ord(lookalike) <= hi)}) "
        f"×{text.count(lookalike)}"
    ]
    passages = original_sentences(article)
    with_character = [s for s in passages if character in s]
    assert with_character
    problems = reading_order_problems(reading.body.replace(character, lookalike), passages)
    assert problems == [f"missing: {s}" for s in with_character]


def test_the_order_check_bites(article: Article) -> None:
    """Two sentences of the original swapped in poppler's text: the later one is out of order."""
    reading = poppler_reading(SOURCE_LANGUAGE)
    passages = original_sentences(article)
    first, second = passages[10], passages[11]
    body = flat(reading.body)
    swapped = body.replace(flat(first), "\0").replace(flat(second), flat(first))
    swapped = swapped.replace("\0", flat(second))
    # The first is found where the second stood; the second then stands before it.
    assert reading_order_problems(swapped, passages) == [f"out of order: {second}"]


def test_the_render_checks_see_a_damaged_pdf(tmp_path: Path, browser, pdfjs_server) -> None:
    """A PDF cut short (its cross-reference table and last pages lost): poppler, MuPDF and
    pdf.js each complain, so their silence on the book's PDFs means something."""
    whole = pdf_file(SOURCE_LANGUAGE).read_bytes()
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(whole[: len(whole) * 2 // 3])
    assert render_with_poppler(damaged)[1] != []
    assert render_with_mupdf(damaged)[1] != []
    from playwright.sync_api import Error

    base, folders = pdfjs_server
    folders["damaged"] = tmp_path
    try:
        result = read_with_pdfjs(browser, base, f"{base}/damaged/damaged.pdf", None)
        assert result.reading.complaints != []
    except Error as error:  # pdf.js refused the file outright
        assert "InvalidPDFException" in str(error) or "Invalid PDF" in str(error), error
    finally:
        del folders["damaged"]


def test_the_bookmark_check_bites() -> None:
    """Every bookmark moved one page on: none opens at its title."""
    pdf = pdf_file(SOURCE_LANGUAGE)
    moved = [(lv, title, n + 1, top) for lv, title, n, top in outline(pdf)]
    assert len(bookmark_problems(pdf, moved)) == len(moved)
