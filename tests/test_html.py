"""The HTML edition: language, titles, and a Japanese search that finds names and words,
checked in the index Sphinx wrote and in a real browser running the site's search."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import browser_dom, content_pages, first_heading, languages, main_text
from lxml import html

# Names and a word of the article that a reader searches for; Sphinx's default Japanese
# splitter (TinySegmenter) cuts 習近平 and 王毅 apart, so these prove the index is segmented well.
SEARCH_TERMS = ("習近平", "王毅", "経済")


def test_every_page_declares_japanese(html_dir: Path) -> None:
    row = languages.get(languages.SOURCE_LANGUAGE)
    pages = sorted(html_dir.rglob("*.html"))
    assert len(pages) >= len(content_pages())
    for page in pages:
        assert html.fromstring(page.read_bytes()).get("lang") == row.html_lang, page


def test_page_titles_name_the_page_and_the_book(html_pages) -> None:
    book = first_heading("index")
    for doc, page in html_pages.items():
        title = page.findtext(".//title")
        assert first_heading(doc) in title, doc
        assert book in title, doc


@pytest.fixture(scope="session")
def search_index(html_dir: Path) -> dict:
    script = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"Search\.setIndex\((.*)\)\s*", script, re.S)
    assert match, "searchindex.js is not Sphinx's Search.setIndex(...) call"
    return json.loads(match.group(1))


def pages_containing(term: str, html_pages) -> set[str]:
    return {doc for doc, page in html_pages.items() if term in main_text(page)}


@pytest.mark.parametrize("term", SEARCH_TERMS)
def test_search_index_has_the_term_as_a_word(term: str, search_index: dict, html_pages) -> None:
    assert term in search_index["terms"], f"{term} is not a word of the index"
    found = docs_of(search_index, "terms", term) | docs_of(search_index, "titleterms", term)
    assert found == pages_containing(term, html_pages)


def docs_of(search_index: dict, table: str, term: str) -> set[str]:
    """The pages an index table lists for a term (Sphinx writes one page as a bare number)."""
    entries = search_index[table].get(term, [])
    numbers = [entries] if isinstance(entries, int) else entries
    return {search_index["docnames"][i] for i in numbers}


@pytest.mark.parametrize("term", SEARCH_TERMS)
def test_browser_search_finds_the_pages_with_the_term(
    term: str, chromium: str, served_site: str, html_pages
) -> None:
    tag = languages.SOURCE_LANGUAGE
    dom = html.fromstring(browser_dom(chromium, f"{served_site}/{tag}/search.html?q={quote(term)}"))
    results = dom.xpath('//ul[contains(@class, "search")]/li/a/@href')
    found = {re.sub(r"\.html.*$", "", href) for href in results}
    assert found == pages_containing(term, html_pages)
    assert results, f"no results for {term}"
