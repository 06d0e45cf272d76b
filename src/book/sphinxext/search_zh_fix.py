"""Sphinx extension: the Chinese search of Sphinx 9.0 works in the browser again.

Sphinx 9.0 names the stemmer of a search language after the language, so the Chinese
language data ends with `window.Stemmer = ChineseStemmer;` while the code it ships is the
English stemmer (Chinese search stems Latin words in English): the browser stops with
"ReferenceError: ChineseStemmer is not defined" and finds nothing. Upstream: issue
sphinx-doc/sphinx#14229, fixed by PR #14416 in Sphinx 9.1, which needs Python 3.12; this
book supports Python 3.11. Remove this extension with the move to Sphinx 9.1.
"""

from __future__ import annotations

from pathlib import Path

import sphinx
from sphinx.application import Sphinx
from sphinx.config import Config

MINIFIED = Path(sphinx.__file__).parent / "search" / "minified-js"


def _register(app: Sphinx, config: Config) -> None:
    # Only a Chinese edition imports the Chinese search (and jieba): the others start faster.
    if not config.language.startswith("zh"):
        return
    from sphinx.search.zh import SearchChinese

    class SearchChineseWithItsStemmer(SearchChinese):
        """Chinese search whose language data names the stemmer it really ships."""

        js_stemmer_rawcode = ""  # use js_stemmer_code below as it is
        js_stemmer_code = "\n".join(
            (
                (MINIFIED / "base-stemmer.js").read_text(encoding="utf-8"),
                (MINIFIED / SearchChinese.js_stemmer_rawcode).read_text(encoding="utf-8"),
                "window.Stemmer = EnglishStemmer;",
            )
        )

    app.add_search_language(SearchChineseWithItsStemmer)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _register)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
