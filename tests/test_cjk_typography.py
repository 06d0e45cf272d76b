"""Japanese and Chinese typography of the built book, measured by its readers' tools.

- Headings break between phrases only: the phrases are BudouX's (the segmenter itself, not the
  book's code), a name or term of the glossary counting as one; a break at a space, or at a
  glossary term's edge, is allowed. Every heading of every ja/zh_CN page is measured in
  Chromium at three widths (the line of each character, from Range.getClientRects; the
  helpers are tests/cjk_lines.py), the book's title in the sidebar at a phone's and a
  desktop's width, and every heading's lines in the PDF with poppler's pdftotext -bbox-layout.
  The vertical EPUB's headings are measured so in tests/test_vertical_epub.py.
- No slanted CJK: emphasis, titles and links in Japanese or Chinese text are upright in the
  HTML and the EPUB (computed style in Chromium); English keeps its italics.
- Line starts: at phone widths no line of a ja/zh_CN page starts with closing punctuation or a
  small kana; an opening bracket that starts a line is narrower than one inside a line
  (text-spacing-trim in effect with the faces' half-width forms).
- Each language's faces: the font Chromium actually draws a page's text with (DevTools'
  CSS.getPlatformFontsForNode) has that language's glyph forms.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from cjk_lines import allowed_breaks, bad_breaks, measure
from conftest import (
    content_pages,
    epub_file,
    heading,
    pdf_file,
    serve,
    without_chapter_number,
)
from lxml import etree

from book import pages, translations

CJK = ["ja", "zh_CN"]
WIDTHS = [390, 768, 1280]
PHONE_WIDTHS = [360, 375, 390, 414]
NO_LINE_START = set("、。，．）」』】〕〉》！？：；・ぁぃぅぇぉっゃゅょァィゥェォッャュョ")
HEADING = re.compile(r"^#{1,6} +(.+?)\s*$", re.M)


def source_headings(docname: str, tag: str) -> list[str]:
    """Every heading of a page, from the source, in the edition's language."""
    source = pages.source(docname).read_text(encoding="utf-8")
    return [translations.translate(tag, docname, h) for h in HEADING.findall(source)]


@pytest.fixture(scope="module")
def origin(served_site: str) -> str:
    return served_site


@pytest.mark.slow  # every heading of every page at three widths, in Chromium
@pytest.mark.parametrize("tag", CJK)
def test_headings_break_between_phrases_in_chromium(browser, origin: str, tag: str) -> None:
    bad, wrapped = [], 0
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        for doc in content_pages():
            page.goto(f"{origin}/{tag}/{doc}.html")
            for element in page.query_selector_all("article :is(h1,h2,h3,h4,h5,h6)"):
                text, breaks, _ = measure(element)
                wrapped += bool(breaks)
                bad += [f"{width}px {doc}: {b}" for b in bad_breaks(text, breaks, tag)]
        page.close()
    assert bad == []
    assert wrapped, "no heading wrapped: nothing was measured"


SIDEBAR_WIDTHS = [390, 1280]  # a phone (the sidebar is a drawer, 15em wide) and a desktop


@pytest.mark.parametrize("tag", CJK)
def test_sidebar_title_breaks_between_phrases_in_chromium(browser, origin: str, tag: str) -> None:
    """The book's title at the top of the sidebar (furo's brand, the same on every page): its
    line boxes in Chromium at a phone's width and a desktop's."""
    bad, lines = [], []
    for width in SIDEBAR_WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(f"{origin}/{tag}/index.html")
        text, breaks, _ = measure(page.query_selector(".sidebar-brand-text"))
        page.close()
        assert text == heading("index", tag)  # the book's title, from the source
        lines.append(len(breaks) + 1)
        bad += [f"{width}px: {b}" for b in bad_breaks(text, breaks, tag)]
    assert min(lines) > 1, "the title fits one line: nothing was measured"
    assert bad == []


def pdf_text(pdf: Path) -> str:
    """The PDF's words (pdftotext -bbox-layout): a space between two words of a line, a
    newline between two lines."""
    xml = subprocess.run(
        ["pdftotext", "-q", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True, huge_tree=True))
    return "\n".join(
        " ".join("".join(w.itertext()) for w in line.iter("{*}word"))
        for line in root.iter("{*}line")
    )


@pytest.mark.parametrize("tag", CJK)
def test_pdf_headings_break_between_phrases(tag: str) -> None:
    """Every occurrence of a heading as whole words (the heading, the contents, the running
    head, the bookmarks' text aside) and where its lines break."""
    text = pdf_text(pdf_file(tag))
    bad, wrapped, missing = [], 0, []
    for doc in content_pages():
        for title in source_headings(doc, tag):
            flat = re.sub(r"\s+", "", title)
            # Offsets in the text without its spaces (a line may break at a space).
            allowed = {len(re.sub(r"\s", "", title[:j])) for j in allowed_breaks(title, tag)}
            pattern = "(?<![^ \n])" + "[ \n]?".join(map(re.escape, flat)) + "(?![^ \n])"
            matches = list(re.finditer(pattern, text))
            if not matches:
                missing.append(title)
            for match in matches:
                seen, cuts = 0, []
                for char in match.group():
                    if char == "\n":
                        cuts.append(seen)
                    elif char != " ":
                        seen += 1
                wrapped += bool(cuts)
                bad += [f"{flat[:c]} | {flat[c:]}" for c in cuts if c not in allowed]
    assert missing == [], "headings not found in the PDF"
    assert bad == []
    if tag == "ja":
        assert wrapped, "no heading wrapped in the PDF: nothing was measured"


@pytest.mark.parametrize("tag", CJK)
def test_pdf_outline_is_plain_text(tag: str) -> None:
    r"""Every bookmark is a heading of the source, as plain text: none of the LaTeX of the
    title's phrase boxes, no space between its phrases. (Without book.phrases.latex's
    \texorpdfstring the bookmarks are plain still: hyperref's \pdfstringdef drops \mbox
    and \allowbreak itself.)"""
    from pypdf import PdfReader

    reader = PdfReader(pdf_file(tag))

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]

    expected = {t for doc in content_pages() for t in source_headings(doc, tag)}
    outline = {without_chapter_number(title) for title in titles(reader.outline)}
    assert outline and outline <= expected
    assert "\\" not in (reader.metadata.title or "")


UPRIGHT_JS = """
([sample, selector]) => {
  const block = document.querySelector(selector);
  const found = {};
  for (const name of ['em', 'cite', 'i', 'a']) {
    const element = document.createElement(name);
    if (name === 'a') element.href = '#';
    element.textContent = sample;
    block.append(element);
    found[name] = getComputedStyle(element).fontStyle;
  }
  for (const a of block.querySelectorAll('a')) found['page link'] = getComputedStyle(a).fontStyle;
  return found;
}
"""
SAMPLES = {"ja": "可能性", "zh_CN": "可能性", "en": "possibility"}


def epub_folder(key: str, into: Path) -> Path:
    with zipfile.ZipFile(epub_file(key)) as book:
        book.extractall(into)
    return into


@pytest.mark.parametrize("tag", [*CJK, "en"])
def test_no_slanted_cjk(browser, origin: str, tag: str) -> None:
    page = browser.new_page()
    page.goto(f"{origin}/{tag}/chapters/china-position.html")
    found = {"html": page.evaluate(UPRIGHT_JS, [SAMPLES[tag], "article p"])}
    with tempfile.TemporaryDirectory() as tmp, serve(epub_folder(tag, Path(tmp))) as epub:
        page.goto(f"{epub}/chapters/china-position.xhtml")
        found["epub"] = page.evaluate(UPRIGHT_JS, [SAMPLES[tag], "div.body p"])
    page.close()
    for where, styles in found.items():
        for name, style in styles.items():
            if tag == "en":
                assert style == ("normal" if "link" in name or name == "a" else "italic"), (
                    where,
                    name,
                )
            else:
                assert style == "normal", (tag, where, name)


LINE_STARTS_JS = """
() => {
  const starts = [];
  for (const block of document.querySelectorAll(
      'article :is(p, li, dd, dt, h1, h2, h3, h4, h5, h6)')) {
    if (block.querySelector('p, li, dd')) continue;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let last = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = [...range.getClientRects()].find(r => r.width > 0);
        if (!rect) continue;
        if (last !== null && rect.top > last + 2)
          starts.push(node.data[i] + ' ← ' + node.data.slice(Math.max(0, i - 8), i));
        last = rect.top;
      }
    }
  }
  return starts;
}
"""


@pytest.mark.slow  # every page at four phone widths, in Chromium
@pytest.mark.parametrize("tag", CJK)
def test_no_line_starts_with_closing_punctuation_or_small_kana(
    browser, origin: str, tag: str
) -> None:
    bad, counted = [], 0
    for width in PHONE_WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 800})
        for doc in content_pages():
            page.goto(f"{origin}/{tag}/{doc}.html")
            starts = page.evaluate(LINE_STARTS_JS)
            counted += len(starts)
            bad += [f"{width}px {doc}: {s}" for s in starts if s[0] in NO_LINE_START]
        page.close()
    assert counted > 100
    assert bad == []


BRACKET_JS = """
() => {
  const p = document.querySelector('article p');
  const probe = document.createElement('p');
  probe.style.width = '3em';
  probe.style.textAlign = 'left';
  probe.textContent = '中国は「立場」を';   // 「 opens the second line
  p.after(probe);
  const range = document.createRange();
  const text = probe.firstChild;
  const left = (node, i) => { range.setStart(node, i); range.setEnd(node, i + 1);
                              return range.getBoundingClientRect().left; };
  const width = i => left(text, i + 1) - left(text, i);
  const top = i => { range.setStart(text, i); range.setEnd(text, i + 1);
                     return range.getBoundingClientRect().top; };
  const wide = document.createElement('p');
  wide.textContent = '中国は「立場」を';
  p.after(wide);
  const text2 = wide.firstChild;
  const inside = left(text2, 4) - left(text2, 3);
  const style = getComputedStyle(probe);
  return {start: width(3), starts_line: top(3) > top(2) + 2, inside,
          trim: style.textSpacingTrim, autospace: style.textAutospace,
          lineBreak: style.lineBreak, align: getComputedStyle(p).textAlign};
}
"""


@pytest.mark.parametrize("tag", CJK)
def test_punctuation_spacing(browser, origin: str, tag: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{origin}/{tag}/chapters/china-position.html")
    found = page.evaluate(BRACKET_JS)
    page.close()
    assert found["starts_line"], found
    assert found["trim"] == "space-first" and found["lineBreak"] == "strict", found
    assert found["autospace"] == "normal" and found["align"] == "justify", found
    # At the start of a line the opening bracket loses its blank half.
    assert found["start"] < 0.75 * found["inside"], found


FACES = {"ja": "Noto Sans CJK JP", "zh_CN": "Noto Sans CJK SC"}


@pytest.mark.parametrize("tag", CJK)
def test_each_language_is_drawn_in_its_own_faces(browser, origin: str, tag: str) -> None:
    page = browser.new_page()
    page.goto(f"{origin}/{tag}/chapters/china-position.html")
    assert page.evaluate("document.documentElement.lang") == tag.replace("_", "-")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "article section > p"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    page.close()
    used = max(fonts, key=lambda f: f["glyphCount"])["familyName"]
    assert used == FACES[tag], fonts
