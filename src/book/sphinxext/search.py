"""Sphinx extension: the search page finds compound words in Japanese and Chinese, and ranks.

Sphinx segments the index into words (Janome for Japanese, jieba for Chinese) but splits the
reader's query only at spaces and punctuation (sphinx-doc/sphinx#13395, open): 経済支援 stays
one word, which the index does not have, and nothing is found. `_static/book-search.js`
segments the query in the browser into the words of the index itself (the vocabulary the
segmenter produced at build time; no network, no dictionary download) and ranks the results.

For the ranking the search page also loads `_static/book-search-pages.js`, written here: the
text of each page (normalised as the script normalises the query) and whether it belongs to
the book's running text (front page and chapters) or to its reference pages (glossary,
timeline, sources, about). Pages containing the whole query come first, the running text
before the reference pages, a page whose title has the query before the others.

The search page's own messages come from Sphinx's JavaScript catalog (sphinx.js), which
Sphinx takes from its package and which leaves some messages empty: in Japanese the status
line "Search finished, found N pages" is "", so the page never says it has finished. The
catalog a page gets here is Sphinx's with the book's sphinx.po (locale/<lang>/) laid over it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import polib
import sphinx
from sphinx.application import Sphinx
from sphinx.config import Config

SCRIPT = "book-search.js"
PAGES = "book-search-pages.js"
READING_PREFIXES = ("chapters/",)


def normalise(text: str) -> str:
    """As `normalise` in book-search.js: NFKC, lower case, one space for any run of spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).lower().strip()


def _add_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # Before searchtools.js, which keeps a splitQuery that is already defined.
    if app.builder.name == "html" and pagename == "search":
        app.add_js_file(PAGES, priority=450)
        app.add_js_file(SCRIPT, priority=450)


def _write_pages(app: Sphinx) -> list[Any]:
    """Write the pages' text before the search page is written (html-collect-pages comes
    first), so that its script tag gets the file's checksum and a changed text reaches
    browsers that cached the old one."""
    if app.builder.name != "html":
        return []
    env = app.env
    pages = {}
    for docname in sorted(env.found_docs):
        reading = docname == app.config.root_doc or docname.startswith(READING_PREFIXES)
        text = normalise(env.get_doctree(docname).astext())
        pages[docname] = {"reading": reading, "text": text}
    payload = json.dumps(pages, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    out = Path(app.outdir) / "_static" / PAGES
    out.write_text(f"var BOOK_SEARCH_PAGES = {payload};\n", encoding="utf-8")
    return []


JS_CATALOG = re.compile(r"^Documentation\.addTranslations\((\{.*\})\);?\s*$", re.S)


def _javascript_catalog(app: Sphinx, config: Config) -> None:
    """Write Sphinx's sphinx.js with the book's translations laid over it, and put its folder
    first in locale_dirs, where the HTML builder looks for sphinx.js before its own."""
    language = config.language
    stock = Path(sphinx.__file__).parent / "locale" / language / "LC_MESSAGES" / "sphinx.js"
    ours = Path(app.confdir, config.locale_dirs[-1], language, "LC_MESSAGES", "sphinx.po")
    if not stock.is_file() or not ours.is_file():
        return  # no stock catalog (English): the messages are shown as written
    match = JS_CATALOG.match(stock.read_text(encoding="utf-8"))
    if not match:
        raise RuntimeError(f"{stock}: not a Documentation.addTranslations(...) catalog")
    catalog = json.loads(match.group(1))
    for entry in polib.pofile(str(ours)):
        if entry.msgid_plural and all(entry.msgstr_plural.values()):
            plural = entry.msgstr_plural
            catalog["messages"][entry.msgid] = [plural[i] for i in sorted(plural)]
        elif entry.msgstr and not entry.msgid_plural:
            catalog["messages"][entry.msgid] = entry.msgstr
    # In the doctree folder: a build product, never published.
    folder = Path(app.doctreedir) / "javascript-catalog"
    target = folder / language / "LC_MESSAGES" / "sphinx.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(catalog, ensure_ascii=False, sort_keys=True, indent=1)
    target.write_text(f"Documentation.addTranslations({payload});\n", encoding="utf-8")
    if str(folder) not in config.locale_dirs:
        config.locale_dirs = [str(folder), *config.locale_dirs]


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _javascript_catalog)
    app.connect("html-page-context", _add_scripts)
    app.connect("html-collect-pages", _write_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
