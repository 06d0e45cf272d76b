"""The HTML editions: language, titles, and search that finds names and words, checked in the
index Sphinx wrote and in a real browser running the site's own search."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    heading,
    html_pages_of,
    html_root,
    languages,
    main_text,
    reader_pages,
    search_results,
)
from lxml import html

from book import translations

# The Japanese edition: names and a word that a reader searches for. Sphinx's default
# Japanese splitter (TinySegmenter) cuts 習近平 and 王毅 apart; these prove the index is
# segmented well.
JAPANESE_TERMS = ("習近平", "王毅", "経済")


def search_terms() -> list[tuple[str, str]]:
    """(language, term): the Japanese terms above, and each translation's forms of the
    glossary's search terms (locale/glossary.toml)."""
    pairs = [(SOURCE_LANGUAGE, term) for term in JAPANESE_TERMS]
    for tag in LANGUAGES:
        if tag != SOURCE_LANGUAGE:
            pairs += [
                (tag, t[tag]) for t in translations.glossary() if t.get("search") and tag in t
            ]
    return pairs


def test_every_page_declares_its_language(tag: str, site: Path) -> None:
    row = languages.get(tag)
    pages = [path for path in reader_pages(site) if path.startswith(f"{tag}/")]
    for path in pages:
        assert html.fromstring((site / path).read_bytes()).get("lang") == row.html_lang, path


def test_page_titles_name_the_page_and_the_book(tag: str) -> None:
    book = heading("index", tag)
    for doc, page in html_pages_of(html_root(tag)).items():
        title = page.findtext(".//title").replace("’", "'")  # smartquotes in English
        assert heading(doc, tag) in title, doc
        assert book in title, doc


def search_index(tag: str) -> dict:
    script = (html_root(tag) / "searchindex.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"Search\.setIndex\((.*)\)\s*", script, re.S)
    assert match, "searchindex.js is not Sphinx's Search.setIndex(...) call"
    return json.loads(match.group(1))


def pages_containing(term: str, tag: str) -> set[str]:
    return {
        doc
        for doc, page in html_pages_of(html_root(tag)).items()
        if term.lower() in main_text(page).lower()
    }


def docs_of(index: dict, table: str, term: str) -> set[str]:
    """The pages an index table lists for a term (Sphinx writes one page as a bare number)."""
    entries = index[table].get(term, [])
    numbers = [entries] if isinstance(entries, int) else entries
    return {index["docnames"][i] for i in numbers}


# Languages written without spaces, whose index is segmented by a dictionary (Janome, jieba):
# there the index itself must hold each name as one word. (English is stemmed word by word.)
SEGMENTED = ("ja", "zh")


@pytest.mark.parametrize(
    ("language", "term"),
    [(lang, t) for lang, t in search_terms() if languages.get(lang).search_language in SEGMENTED],
)
def test_search_index_has_the_term_as_a_word(language: str, term: str) -> None:
    index = search_index(language)
    word = term.lower()
    assert word in index["terms"] or word in index["titleterms"], f"{term} is not a word"
    found = docs_of(index, "terms", word) | docs_of(index, "titleterms", word)
    assert found == pages_containing(term, language)


@pytest.mark.parametrize(("language", "term"), search_terms())
def test_browser_search_finds_the_pages_with_the_term(
    language: str, term: str, browser, served_site: str
) -> None:
    results, _ = search_results(browser, served_site, language, term)
    assert results, f"no results for {term}"
    assert set(results) == pages_containing(term, language)


def test_search_pages_exist(tag: str) -> None:
    assert (html_root(tag) / "search.html").is_file()
    assert Path(html_root(tag) / "searchindex.js").is_file()
