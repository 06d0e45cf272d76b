"""The glossary (用語集) and the timeline (年表), in every language: each term's first mention
in each chapter links to its entry; each entry says where the book mentions it, truly; the
timeline's events point to the passage or source that states them; a fact the original does
not state is marked as added, with a bibliographic source."""

from __future__ import annotations

import re
import zipfile
from urllib.parse import urldefrag

import pytest
from conftest import DOCS, epub_file, html_root, main_text, parse_html
from lxml import etree, html

CHAPTERS = sorted(
    p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.glob("chapters/*.md")
)
# Not running text: headings, admonition titles, and links that were there before.
NOT_RUNNING = {"h1", "h2", "h3", "h4", "h5", "h6", "title"}


def glossary_terms(tag: str) -> dict[str, str]:
    """term → its anchor, from the built glossary page."""
    page = parse_html(html_root(tag) / "glossary.html")
    terms = {
        dt.text_content().strip(): dt.get("id")
        for dt in page.xpath("//dl[contains(@class, 'glossary')]/dt")
    }
    assert len(terms) >= 7 and all(terms.values()), terms
    return terms


def running_text(element: html.HtmlElement) -> list[tuple[str, html.HtmlElement | None]]:
    """The article's text in reading order, each piece with the link around it (or None);
    headings and admonition titles left out."""
    pieces: list[tuple[str, html.HtmlElement | None]] = []

    def link_of(node: html.HtmlElement) -> html.HtmlElement | None:
        for ancestor in node.iterancestors():
            if ancestor.tag == "a":
                return ancestor
        return node if node.tag == "a" else None

    def skipped(node: html.HtmlElement) -> bool:
        chain = [node, *node.iterancestors()]
        return any(
            n.tag in NOT_RUNNING
            or "admonition-title" in (n.get("class") or "")
            or "print-url" in (n.get("class") or "")
            for n in chain
        )

    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        if node.text and not skipped(node):
            pieces.append((node.text, link_of(node)))
        if node.tail and node.getparent() is not None and not skipped(node.getparent()):
            pieces.append((node.tail, link_of(node.getparent())))
    return pieces


def folded(text: str) -> str:
    """Case and the curl of apostrophes aside (Sphinx's smartquotes curl them)."""
    return text.lower().replace("’", "'")


def first_mention(pieces, term: str):
    for text, link in pieces:
        if folded(term) in folded(text):
            return text, link
    return None


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_first_mention_in_each_chapter_links_to_its_entry(tag: str, chapter: str) -> None:
    terms = glossary_terms(tag)
    page = parse_html(html_root(tag) / f"{chapter}.html")
    (article,) = page.xpath('//article[@role="main"]')
    pieces = running_text(article)
    linked = 0
    for term, anchor in terms.items():
        found = first_mention(pieces, term)
        if found is None:
            continue  # not in this chapter's running text
        _text, link = found
        assert link is not None, f"{chapter}: the first {term!r} is not linked"
        target, fragment = urldefrag(link.get("href"))
        if "glossary-link" not in (link.get("class") or ""):
            continue  # inside a link that was there before (a citation): left alone
        assert target.endswith("glossary.html") and fragment == anchor, (term, link.get("href"))
        linked += 1
    assert linked >= 2, f"{chapter}: only {linked} glossary links"
    links = article.xpath('.//a[contains(@class, "glossary-link")]')
    assert len(links) == linked, "one link per term and chapter: the first mention only"


def test_glossary_links_resolve_in_the_epub(tag: str) -> None:
    with zipfile.ZipFile(epub_file(tag)) as book:
        glossary = etree.fromstring(book.read("glossary.xhtml"))
        ids = set(glossary.xpath("//@id"))
        for chapter in CHAPTERS:
            document = etree.fromstring(book.read(f"{chapter}.xhtml"))
            hrefs = document.xpath(
                "//x:a[contains(@class, 'glossary-link')]/@href",
                namespaces={"x": "http://www.w3.org/1999/xhtml"},
            )
            assert hrefs, chapter
            for href in hrefs:
                target, fragment = urldefrag(href)
                assert target == "../glossary.xhtml" and fragment in ids, href


def test_each_entry_says_truly_where_the_book_mentions_it(tag: str) -> None:
    """The pages an entry names as mentioning the term do contain it."""
    root = html_root(tag)
    page = parse_html(root / "glossary.html")
    for dt in page.xpath("//dl[contains(@class, 'glossary')]/dt"):
        term = dt.text_content().strip()
        dd = dt.getnext()
        named = [a.get("href") for a in dd.xpath(".//a[contains(@class, 'internal')]")]
        assert named, f"{term}: no place named"
        for href in named:
            target = (root / urldefrag(href)[0]).resolve()
            assert folded(term) in folded(main_text(parse_html(target))), f"{term} not in {href}"


def test_timeline_points_every_event_to_a_passage_or_source(tag: str) -> None:
    root = html_root(tag)
    page = parse_html(root / "timeline.html")
    events = page.xpath("//article//dl/dt")
    assert len(events) >= 5
    for dt in events:
        links = dt.getnext().xpath(".//a[contains(@class, 'internal')]/@href")
        added = not links
        if added:
            continue  # an added fact: test_added_facts_are_marked_with_a_source
        for href in links:
            target, fragment = urldefrag(href)
            linked = parse_html((root / target).resolve())
            assert linked.xpath(f'//*[@id="{fragment}"]'), href


def dated(text: str) -> tuple[int, int, int]:
    year, month, day = re.fullmatch(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?", text).groups()
    return int(year), int(month), int(day or 0)


def test_timeline_is_in_date_order() -> None:
    page = parse_html(html_root("ja") / "timeline.html")
    dates = [dated(dt.text_content().strip()) for dt in page.xpath("//article//dl/dt")]
    assert dates == sorted(dates)


@pytest.mark.parametrize("page", ["glossary", "timeline"])
def test_added_facts_are_marked_with_a_source(page: str) -> None:
    """In the Japanese source: a paragraph that adds a fact says 追加, names its source with a
    date, and gives no web address (a bibliographic reference that can be checked)."""
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if "追加。" in p or "（追加" in p]
    assert paragraphs, f"{page}: no added fact marked"
    for paragraph in paragraphs:
        assert "出典：" in paragraph, paragraph
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", paragraph), paragraph
        assert "http" not in paragraph, paragraph
