"""Sphinx extension: the EPUB's toc.ncx names the book by its identifier, as the OPF does.

Sphinx writes `epub_uid` (an XML id such as "BookId") into toc.ncx's dtb:uid, where the
identifier itself (`epub_identifier`) belongs; epubcheck then reports NCX-001, "NCX
identifier does not match OPF identifier". Upstream: sphinx-doc/sphinx issue #11184 (open).
Remove this extension once Sphinx writes the identifier itself.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.builders._epub_base import EpubBuilder


def _use_identifier(app: Sphinx) -> None:
    builder = app.builder
    if not isinstance(builder, EpubBuilder):
        return
    original = builder.toc_metadata

    def toc_metadata(level: int, navpoints: list[Any]) -> dict[str, Any]:
        metadata = original(level, navpoints)
        metadata["uid"] = app.config.epub_identifier
        return metadata

    builder.toc_metadata = toc_metadata  # type: ignore[method-assign]


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _use_identifier)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
