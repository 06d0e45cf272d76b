"""Sphinx extension: the Japanese original beside the translation, in a translated HTML edition.

Every content page of a translated edition gets a control at the top of its article
(docs/_templates/page.html): a link to the same page of the Japanese edition, so the original
is one click away without JavaScript too, and from the file system (file://), where a page
cannot fetch another. With JavaScript, `_static/book-original.js` turns the link into a toggle
button (aria-pressed; remembered across pages in localStorage; off by default). Switched on,
it imports `_static/book-original-text.js`, which fetches the Japanese page and puts after each
translated block of the article (paragraph, heading, list item, glossary term and definition,
admonition title, the contents list) the text of the same block in Japanese, as an element
with lang="ja"; switched off, they are hidden.

The weight of a first visit (src/book/bench.py) grows by the control and the small first
script only: the second script, its styles and the Japanese page are fetched by a reader who
shows the originals. Alignment costs the pages no byte: both editions are written from one
doctree, so a block of the translation and its original sit at the same place below <article>
(the same child indexes, tag by tag), but for the links of the contents, which meet by their
target: an edition may list the colophon elsewhere. The translated blocks are those that
Sphinx's i18n marks with the class `translated` (conf.py: translation_progress_classes); an
untranslated block already is Japanese, and a block whose original reads the same is left
alone.

Their styles come with the scripts, as <style> elements (the site's Content-Security-Policy
allows inline styles, not scripts): book.css is also the EPUB's stylesheet, which this leaves
alone, and a stylesheet of their own would cost a first visit a request. book-original.js is
written short, without comments, because every first visit pays for each byte of it.

Only the translated editions' content pages load the script: the Japanese edition, the search
and 404 pages, and the EPUB (whose builder shares the templates but not this context, and
packs no JavaScript) get none of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from book import files, languages

HTML_BUILDERS = {"html", "dirhtml"}
SCRIPT = "book-original.js"
# Imported by SCRIPT; its version (a digest of it) is on the control, for the browser's cache.
MODULE = "book-original-text.js"


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if (
        app.builder.name not in HTML_BUILDERS
        or doctree is None  # search, 404 and other generated pages: no original of their own
        or languages.get(app.config.language).is_source
    ):
        return
    up = "../" * (pagename.count("/") + 1)
    context["book_original"] = {
        "url": f"{up}{languages.SOURCE_LANGUAGE}/{pagename}.html",
        "version": _version(Path(app.srcdir, "_static", MODULE)),
    }
    # An asset of this page only: the builder resets its lists after each page. (The builder's
    # methods, not the application's, which would also register the asset for every page.)
    app.builder.add_js_file(SCRIPT, defer="defer")


def _version(path: Path) -> str:
    return files.file_digest(path)[:8]


def setup(app: Sphinx) -> dict[str, object]:
    # Before lean_pages.py (priority 500), which replaces the page's asset lists by copies.
    app.connect("html-page-context", _page_context, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
