"""Sphinx extension: two defects of Sphinx's EPUB 3 builder, fixed at their cause.

1. toc.ncx names the book by `epub_uid` (an XML id such as "BookId") in dtb:uid, where the
   identifier itself (`epub_identifier`) belongs; epubcheck reports NCX-001, "NCX identifier
   does not match OPF identifier". Upstream: sphinx-doc/sphinx issue #11184 (open).
2. Its XHTML documents carry no language: the builder replaces the `<html lang=…>` of the
   HTML templates by a fixed tag without one, so reading systems (and their speech) cannot
   tell the documents' language. EPUB 3 wants `xml:lang` (and `lang`) on the root element.

Remove a fix once Sphinx does the right thing itself; tests/test_epub.py checks both results.
"""

from __future__ import annotations

import html
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder


def _fix_epub_builder(app: Sphinx) -> None:
    builder = app.builder
    if not isinstance(builder, Epub3Builder):
        return

    original_toc_metadata = builder.toc_metadata

    def toc_metadata(level: int, navpoints: list[Any]) -> dict[str, Any]:
        metadata = original_toc_metadata(level, navpoints)
        metadata["uid"] = app.config.epub_identifier
        return metadata

    builder.toc_metadata = toc_metadata  # type: ignore[method-assign]

    lang = html.escape(app.config.epub_language, quote=True)
    builder.html_tag = builder.html_tag.replace(
        "<html ", f'<html lang="{lang}" xml:lang="{lang}" ', 1
    )


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _fix_epub_builder)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
