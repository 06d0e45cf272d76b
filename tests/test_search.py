"""The search page in a real browser (headless Chromium): single words, compounds, names and
phrases find the right page first, in Japanese, Chinese and English; and a Japanese query is
cut into words the way Sphinx's own splitter (Janome) cut the index.

Sphinx alone splits a query only at spaces (sphinx-doc/sphinx#13395): a compound such as
経済支援 is no word of the index and finds nothing. docs/_static/book-search.js segments it.
"""

from __future__ import annotations

import re

import pytest
from conftest import html_pages_of, html_root, languages, main_text, search_results
from test_html import search_index

# (language, query, the page a reader wants first, why that page). The pages follow from the
# text: where the compound or phrase stands, where the person's part of the story is told.
QUERIES = [
    ("ja", "経済支援", "index", "compound; stands in the lead (経済支援と軍事協力)"),
    ("ja", "軍事協力", "index", "compound; stands in the lead only"),
    ("ja", "国際的な影響力", "chapters/china-position", "compound with a particle (な)"),
    ("ja", "習近平", "chapters/china-position", "name; the chapter on his visit"),
    ("ja", "王毅", "chapters/china-position", "name; his tour is told there"),
    ("ja", "プーチン", "chapters/china-position", "name; his request is told there"),
    ("ja", "同盟", "chapters/russia-china-relations", "word; the chapter on the alliance"),
    ("ja", "正式な軍事同盟", "chapters/russia-china-relations", "phrase"),
    ("ja", "用語集", "glossary", "the page the query names"),
    ("ja", "年表", "timeline", "the page the query names"),
    ("zh_CN", "国际影响力", "chapters/china-position", "compound (国际 + 影响力)"),
    ("zh_CN", "习近平", "chapters/china-position", "name; the chapter on his visit"),
    ("zh_CN", "王毅", "chapters/china-position", "name; his tour is told there"),
    ("zh_CN", "军事同盟", "chapters/russia-china-relations", "word (jieba keeps it whole)"),
    ("zh_CN", "国际秩序", "chapters/russia-china-relations", "compound; the new world order"),
    ("zh_CN", "经济利益", "index", "compound; stands in the lead only"),
    ("zh_CN", "政治解决", "chapters/china-position", "compound; the position paper"),
    ("en", "Wang Yi", "chapters/china-position", "name of two words"),
    ("en", "international influence", "chapters/china-position", "phrase"),
    ("en", "alliance", "chapters/russia-china-relations", "word"),
    ("en", "Glossary", "glossary", "the page the query names"),
]
IDS = [f"{lang}-{query}" for lang, query, _, _ in QUERIES]


@pytest.mark.parametrize(("tag", "query", "expected", "why"), QUERIES, ids=IDS)
def test_query_finds_the_right_page_first(
    browser, served_site: str, tag: str, query: str, expected: str, why: str
) -> None:
    text = main_text(html_pages_of(html_root(tag))[expected]).lower()
    assert re.sub(r"\s+", "", query.lower()) in re.sub(r"\s+", "", text), (
        f"the test's premise: {expected} contains {query!r}"
    )
    pages, words = search_results(browser, served_site, tag, query)
    assert pages, f"{query!r} ({why}) finds nothing; split into {words}"
    assert pages[0] == expected, f"{query!r} ({why}): {pages[:4]}; split into {words}"


@pytest.mark.parametrize(
    ("tag", "query"),
    [(lang, q) for lang, q, _, _ in QUERIES if lang == "ja" and len(q) > 2],
)
def test_japanese_query_is_cut_as_janome_cut_the_index(
    browser, served_site: str, tag: str, query: str
) -> None:
    from sphinx.search.ja import SearchJapanese

    row = languages.get(tag)
    options = row.html_search_options
    index = search_index(tag)
    vocabulary = set(index["terms"]) | set(index["titleterms"])
    janome = [w.lower() for w in SearchJapanese(options).split(query) if w.lower() in vocabulary]
    _, words = search_results(browser, served_site, tag, query)
    assert [w.lower() for w in words] == janome


@pytest.mark.parametrize(
    ("tag", "query"),
    [(lang, q) for lang, q, _, why in QUERIES if lang != "en" and "compound" in why],
)
def test_a_compound_is_no_word_of_the_index(
    browser, served_site: str, tag: str, query: str
) -> None:
    """Why the segmenter is needed: the compound itself is not in the index, its parts are."""
    index = search_index(tag)
    vocabulary = set(index["terms"]) | set(index["titleterms"])
    assert query not in vocabulary
    _, words = search_results(browser, served_site, tag, query)
    assert len(words) >= 2 and all(w.lower() in vocabulary for w in words), words
