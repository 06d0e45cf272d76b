"""Every sentence of the original reaches the reader, in every format, wording unchanged.

The only change allowed is the typographic normalisation of source_text.normalise; the web
page's furniture (💡, ✅, ⇒ link cards) becomes structure and must not reach the text.
"""

from __future__ import annotations

import pytest
from source_text import Article, squash

FORMATS = ("html_text", "epub_text", "pdf_text")
FURNITURE = ("💡", "✅", "⇒", "さらに読む", "画像元")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_sentence_of_the_original_is_in_the_book(
    fmt: str, article: Article, request: pytest.FixtureRequest
) -> None:
    text = squash(request.getfixturevalue(fmt))
    missing = [s for s in article.sentences if squash(s) not in text]
    assert len(article.sentences) > 30
    assert missing == [], f"{len(missing)} of {len(article.sentences)} sentences missing"


@pytest.mark.parametrize("fmt", FORMATS)
def test_web_page_furniture_became_structure(fmt: str, request: pytest.FixtureRequest) -> None:
    text = request.getfixturevalue(fmt)
    assert [mark for mark in FURNITURE if mark in text] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_cited_url_is_visible_text(
    fmt: str, article: Article, request: pytest.FixtureRequest
) -> None:
    text = squash(request.getfixturevalue(fmt))
    assert len(article.urls) == 2
    assert [url for url in article.urls if url not in text] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_half_width_punctuation_is_normalised(fmt: str, request: pytest.FixtureRequest) -> None:
    """No ASCII :?! left beside Japanese text: the normalisation is applied consistently."""
    import re

    text = request.getfixturevalue(fmt)
    japanese = r"[\u3040-\u30ff\u4e00-\u9fff]"
    mixed = re.findall(rf"{japanese}[:?!]|[:?!]{japanese}", text)
    assert mixed == []
