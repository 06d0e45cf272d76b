"""Kindle: calibre's `ebook-convert` turns every EPUB into AZW3 (KF8, the format of Kindle
readers) with no error and no CSS problem, and the AZW3 keeps the table of contents, every
sentence of its edition, and the vertical book's vertical, right-to-left layout.

No Kindle device or Amazon service is at hand, so the AZW3 is read back by calibre itself
(`ebook-convert book.azw3 back.epub`: its MOBI reader rebuilds an EPUB from the AZW3's text,
style sheets, table of contents index and EXTH header); what it finds is what the file holds.
Amazon's Send to Kindle takes the EPUB itself and converts it with Amazon's own converter,
which is not tested here.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import tinycss2
from conftest import OPF, SOURCE_LANGUAGE, epub_file, epub_package, epub_text_of, navigation_title
from lxml import etree
from source_text import Article, squash
from test_epub_css import BAD_CSS, EDITIONS, calibre, epub_with_css
from test_translations import translated_texts

pytestmark = pytest.mark.slow  # calibre's conversion of every EPUB

NCX = {"ncx": "http://www.daisy.org/z3986/2005/ncx/"}
XHTML = {"x": "http://www.w3.org/1999/xhtml"}

# What calibre prints for a problem. Its CSS parser (css_parser) names the part of CSS that
# failed: "CSSStyleDeclaration: Syntax Error in Property: color: var(--…)", "PropertyValue:
# No match: …", "CSSVariable: Missing token …", "Selector: …", "MediaQuery: …"; anything
# else says error, failed, invalid, ignoring … (a conversion that goes well says none of it).
PROBLEM = re.compile(
    r"^\s*(CSS\w*|Property\w*|Selector\w*|Media\w*|Margin\w*|\w*Value|Prod\w*):"
    r"|(?i:\b(errors?|fail(ed|ure)?|invalid|traceback|exception|unknown|ignor(e|ed|ing)"
    r"|warn(ing)?|unable|cannot|could not|not found|missing)\b)"
)


def problems(log: str) -> list[str]:
    return [line for line in log.splitlines() if PROBLEM.search(line)]


@dataclass
class Kindle:
    edition: str  # ja, en, zh_CN, ja-vertical
    epub: Path
    azw3: Path
    log: str  # what ebook-convert printed, EPUB → AZW3
    back: Path  # the AZW3 read back by calibre, as an EPUB
    back_dir: Path  # … and unpacked

    @property
    def language(self) -> str:
        return self.edition.removesuffix("-vertical")

    @property
    def vertical(self) -> bool:
        return self.edition.endswith("-vertical")


def to_azw3(epub: Path, azw3: Path) -> str:
    """ebook-convert's output, EPUB → AZW3 (its default settings)."""
    log = calibre("ebook-convert", str(epub), str(azw3), config=azw3.parent / "calibre-config")
    assert azw3.stat().st_size > 0, log[-3000:]
    return log


@pytest.fixture(scope="module", params=EDITIONS)
def kindle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Kindle:
    edition = request.param
    epub = epub_file(edition)
    folder = tmp_path_factory.mktemp(f"kindle-{edition}")
    azw3 = folder / f"{epub.stem}.azw3"
    log = to_azw3(epub, azw3)
    back = folder / "back.epub"
    config = folder / "calibre-config"
    output = calibre(
        "ebook-convert", str(azw3), str(back), "--no-default-epub-cover", config=config
    )
    assert "Found KF8 MOBI" in output  # a KF8 book (AZW3), not the old MOBI format
    with zipfile.ZipFile(back) as book:
        book.extractall(folder / "back")
    return Kindle(edition, epub, azw3, log, back, folder / "back")


# -- the conversion -------------------------------------------------------------------------


def test_ebook_convert_reports_no_error_and_no_css_problem(kindle: Kindle) -> None:
    assert "AZW3 output written to" in kindle.log
    assert problems(kindle.log) == []


def test_the_check_sees_calibres_css_errors(tmp_path: Path) -> None:
    """What calibre printed for book.css's var() before the EPUB's copy was resolved (11
    syntax errors a book): an EPUB with such CSS put back fails the check above."""
    bad = epub_with_css(epub_file(SOURCE_LANGUAGE), tmp_path / "bad.epub", BAD_CSS)
    found = problems(to_azw3(bad, tmp_path / "bad.azw3"))
    assert any(
        line.startswith("CSSStyleDeclaration: Syntax Error in Property: color: var(--color-brand")
        for line in found
    ), found
    assert any("Unexpected token, ignoring upto '--color-spare" in line for line in found), found


# -- table of contents ----------------------------------------------------------------------


def ncx_entries(ncx: etree._Element) -> list[tuple[int, str, str]]:
    """(depth, title, target) of every entry of an NCX navMap, in order."""
    entries = []

    def walk(parent: etree._Element, depth: int) -> None:
        for point in parent.iterfind("ncx:navPoint", NCX):
            title = point.findtext("ncx:navLabel/ncx:text", namespaces=NCX).strip()
            entries.append((depth, title, point.find("ncx:content", NCX).get("src")))
            walk(point, depth + 1)

    walk(ncx.find("ncx:navMap", NCX), 0)
    return entries


def nav_entries(nav: etree._Element) -> list[tuple[int, str]]:
    """(depth, title) of every entry of the EPUB 3 navigation document's table of contents."""
    (toc,) = nav.xpath("//x:nav[@*[local-name()='type']='toc']", namespaces=XHTML)
    entries = []

    def walk(ol: etree._Element, depth: int) -> None:
        for item in ol.iterfind("x:li", XHTML):
            (link,) = item.iterfind("x:a", XHTML)
            entries.append((depth, " ".join("".join(link.itertext()).split())))
            for sub in item.iterfind("x:ol", XHTML):
                walk(sub, depth + 1)

    walk(toc.find("x:ol", XHTML), 0)
    return entries


def spine_documents(book: zipfile.ZipFile) -> list[str]:
    """The EPUB's documents in reading order, as docnames (chapters/china-position)."""
    _, opf = epub_package(book)
    hrefs = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:item", OPF)}
    refs = opf.iterfind(".//opf:spine/opf:itemref", OPF)
    return [hrefs[ref.get("idref")].removesuffix(".xhtml") for ref in refs]


def back_package(kindle: Kindle) -> tuple[Path, etree._Element]:
    container = etree.parse(kindle.back_dir / "META-INF" / "container.xml")
    (rootfile,) = container.xpath("//*[local-name()='rootfile']/@full-path")
    return kindle.back_dir / rootfile, etree.parse(kindle.back_dir / rootfile).getroot()


def azw3_toc(kindle: Kindle) -> list[tuple[int, str, str]]:
    opf_path, opf = back_package(kindle)
    ncx_id = opf.find("opf:spine", OPF).get("toc")
    (ncx_href,) = [i.get("href") for i in opf.iterfind(".//opf:item", OPF) if i.get("id") == ncx_id]
    ncx = etree.parse(opf_path.parent / ncx_href).getroot()
    return [(d, t, str(opf_path.parent / src)) for d, t, src in ncx_entries(ncx)]


def test_the_table_of_contents_is_the_books(kindle: Kindle) -> None:
    """Every page and section of the EPUB's table of contents, in order, titled in the
    edition's language; the top level is the book's pages in reading order."""
    with zipfile.ZipFile(kindle.epub) as book:
        documents = spine_documents(book)
        nav_href = next(n for n in book.namelist() if n.endswith("nav.xhtml"))
        expected = nav_entries(etree.fromstring(book.read(nav_href)))
    toc = azw3_toc(kindle)
    assert [(depth, title) for depth, title, _ in toc] == expected
    top = [title for depth, title, _ in toc if depth == 0]
    # (The English titles with typographic apostrophes, as the build sets them: smartquotes.)
    titles = [navigation_title(doc, kindle.language).replace("'", "’") for doc in documents]
    assert [title.replace("'", "’") for title in top] == titles


def test_every_entry_of_the_table_of_contents_leads_to_its_place(kindle: Kindle) -> None:
    for _, title, target in azw3_toc(kindle):
        path, _, anchor = target.partition("#")
        assert Path(path).is_file(), (title, target)
        if anchor:
            document = etree.parse(path)
            assert document.xpath(f"//*[@id='{anchor}']"), (title, target)


# -- text -----------------------------------------------------------------------------------


def test_every_sentence_reaches_the_kindle(kindle: Kindle, article: Article) -> None:
    """The original's every sentence (Japanese editions), or every translated message of the
    content pages, markup removed (translations), is in the AZW3's text."""
    text = squash(epub_text_of(kindle.back)).replace("’", "'")
    if kindle.language == SOURCE_LANGUAGE:
        expected = article.sentences
    else:
        expected = translated_texts(kindle.language)
        assert len(expected) > 40
    missing = [s for s in expected if squash(s).replace("’", "'") not in text]
    assert missing == []


def test_title_and_language_are_the_editions(kindle: Kindle) -> None:
    """The title a Kindle's library shows, and the language. The AZW3 holds a language
    without its region (calibre writes "zh" for zh-CN, in the MOBI header and EXTH 524)."""
    with zipfile.ZipFile(kindle.epub) as book:
        _, epub_opf = epub_package(book)
    _, opf = back_package(kindle)
    title, language = (opf.findtext(f".//dc:{f}", namespaces=OPF) for f in ("title", "language"))
    assert title == epub_opf.findtext(".//dc:title", namespaces=OPF)
    assert language == epub_opf.findtext(".//dc:language", namespaces=OPF).split("-")[0]


# -- writing mode and page progression ------------------------------------------------------


def class_rules(kindle: Kindle) -> dict[str, dict[str, str]]:
    """The declarations of each class in the read-back style sheets (calibre writes the
    AZW3's CSS as one rule per class: `.calibre5 { … }`)."""
    rules: dict[str, dict[str, str]] = {}
    for sheet in kindle.back_dir.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            selectors = [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
            declarations = tinycss2.parse_blocks_contents(rule.content, True, True)
            values = {
                d.lower_name: tinycss2.serialize(d.value).strip()
                for d in declarations
                if d.type == "declaration"
            }
            for selector in selectors:
                if re.fullmatch(r"\.[\w-]+", selector):
                    rules.setdefault(selector[1:], {}).update(values)
    return rules


def styled(rules: dict[str, dict[str, str]], element: etree._Element, name: str) -> set[str]:
    """The values that the classes of an element of the read-back AZW3 give a property."""
    return {rules.get(c, {}).get(name, "") for c in element.get("class", "").split()} - {""}


def back_documents(kindle: Kindle) -> list[etree._Element]:
    opf_path, opf = back_package(kindle)
    hrefs = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:item", OPF)}
    return [
        etree.parse(opf_path.parent / hrefs[ref.get("idref")]).getroot()
        for ref in opf.iterfind(".//opf:spine/opf:itemref", OPF)
    ]


def test_pages_turn_as_in_the_epub(kindle: Kindle) -> None:
    """The vertical book: right to left, and "vertical-rl" as the AZW3's primary writing
    mode (EXTH 525, which Kindle readers go by; without it calibre writes horizontal-rl); the
    others left to right, horizontal."""
    _, opf = back_package(kindle)
    direction = opf.find("opf:spine", OPF).get("page-progression-direction")
    modes = opf.xpath("//opf:meta[@name='primary-writing-mode']/@content", namespaces=OPF)
    if kindle.vertical:
        assert (direction, modes) == ("rtl", ["vertical-rl"])
    else:
        assert direction in ("ltr", None)
        assert modes in ([], ["horizontal-lr"])


def test_the_text_runs_as_in_the_epub(kindle: Kindle) -> None:
    """Every page of the vertical book is set in vertical-rl lines, those of the others in
    horizontal ones (Sphinx's epub.css gives the body its writing mode)."""
    expected = {"vertical-rl"} if kindle.vertical else {"horizontal-tb"}
    rules = class_rules(kindle)
    for document in back_documents(kindle):
        (body,) = document.iterfind("x:body", XHTML)
        assert styled(rules, body, "writing-mode") == expected, document.base


def test_numbers_stay_upright(kindle: Kindle) -> None:
    """縦中横: each number that the vertical EPUB sets upright in one character cell (span.tcy)
    or digit under digit (span.upright) is set so in the AZW3 (its class renamed)."""
    counts = {"tcy": 0, "upright": 0}
    with zipfile.ZipFile(kindle.epub) as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                spans = etree.fromstring(book.read(name)).iterfind(".//x:span", XHTML)
                for span in spans:
                    if span.get("class") in counts:
                        counts[span.get("class")] += 1
    rules = class_rules(kindle)
    combined = upright = 0
    for document in back_documents(kindle):
        for span in document.iterfind(".//x:span", XHTML):
            combined += "all" in styled(rules, span, "text-combine-upright")
            upright += "upright" in styled(rules, span, "text-orientation")
    assert (combined, upright) == (counts["tcy"], counts["upright"])
    assert (counts["tcy"] > 0) == kindle.vertical
