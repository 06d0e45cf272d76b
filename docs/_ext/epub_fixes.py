"""Sphinx extension: defects of Sphinx's EPUB 3 builder, fixed at their cause.

1. toc.ncx names the book by `epub_uid` (an XML id such as "BookId") in dtb:uid, where the
   identifier itself (`epub_identifier`) belongs; epubcheck reports NCX-001, "NCX identifier
   does not match OPF identifier". Upstream: sphinx-doc/sphinx issue #11184 (open).
2. Its XHTML documents carry no language: the builder replaces the `<html lang=…>` of the
   HTML templates by a fixed tag without one, so reading systems (and their speech) cannot
   tell the documents' language. EPUB 3 wants `xml:lang` (and `lang`) on the root element.

3. The EPUB is not reproducible: its zip entries carry each file's modification time (in the
   local time zone). The archive is written again with every entry dated SOURCE_DATE_EPOCH
   (UTC) and the same permissions, in the same order, mimetype first and stored.

4. No accessibility metadata (EPUB Accessibility 1.1, checked by Ace by DAISY): access
   modes, features, hazards and a summary are added to content.opf. They describe this book
   as it is: text only, no images or media, a table of contents, headings, the reading order
   of the spine, marked languages. No conformance claim (dcterms:conformsTo) is made: that
   needs an evaluation by a person, not only automated checkers.
5. The navigation document's <nav epub:type="toc"> has no matching ARIA role
   (Ace: epub-type-has-matching-role): it gets role="doc-toc".
6. No document says its text direction, so the reading system's own decides: each body gets
   dir="ltr" (see _mark_direction).

Remove a fix once Sphinx does the right thing itself; tests check each result.
"""

from __future__ import annotations

import html
import os
import time
import zipfile
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder


def _repack_reproducibly(epub: Path) -> None:
    """Rewrite the archive with fixed dates and permissions; the contents stay as they are."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    date_time = time.gmtime(max(epoch, 315532800))[:6]  # zip dates start in 1980
    staging = epub.with_name(epub.name + ".tmp")
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(staging, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=date_time)
            info.compress_type = entry.compress_type
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever system built it
            target.writestr(info, source.read(entry.filename))
    staging.replace(epub)


# schema.org accessibility properties, https://www.w3.org/TR/epub-a11y-11/#sec-disc-package
ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityHazard", "none"),
)


def _add_accessibility_metadata(opf: Path, summary: str) -> None:
    properties = [*ACCESSIBILITY, ("schema:accessibilitySummary", summary)]
    metas = "".join(
        f'\n    <meta property="{name}">{html.escape(value, quote=False)}</meta>'
        for name, value in properties
    )
    text = opf.read_text(encoding="utf-8")
    opf.write_text(text.replace("\n  </metadata>", metas + "\n  </metadata>", 1), "utf-8")


def _mark_direction(outdir: Path) -> None:
    """dir="ltr" on every document's body: a reading system that puts the page progression
    (rtl, in the vertical book) on the root as `direction` must not turn the lines round, and
    an EPUB style sheet may not say `direction` itself (epubcheck CSS-001)."""
    for page in outdir.rglob("*.xhtml"):
        text = page.read_text(encoding="utf-8")
        if "<body>" in text:
            page.write_text(text.replace("<body>", '<body dir="ltr">', 1), encoding="utf-8")


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

    original_build_content = builder.build_content

    def build_content() -> None:
        _mark_direction(Path(builder.outdir))
        original_build_content()
        summary = app.config.book_accessibility_summary
        _add_accessibility_metadata(Path(builder.outdir, "content.opf"), summary)

    builder.build_content = build_content  # type: ignore[method-assign]

    original_build_navigation_doc = builder.build_navigation_doc

    def build_navigation_doc() -> None:
        original_build_navigation_doc()
        nav = Path(builder.outdir, "nav.xhtml")
        text = nav.read_text(encoding="utf-8")
        nav.write_text(
            text.replace('<nav epub:type="toc">', '<nav epub:type="toc" role="doc-toc">'), "utf-8"
        )

    builder.build_navigation_doc = build_navigation_doc  # type: ignore[method-assign]

    original_build_epub = builder.build_epub

    def build_epub() -> None:
        original_build_epub()
        _repack_reproducibly(Path(builder.outdir, app.config.epub_basename + ".epub"))

    builder.build_epub = build_epub  # type: ignore[method-assign]

    lang = html.escape(app.config.epub_language, quote=True)
    builder.html_tag = builder.html_tag.replace(
        "<html ", f'<html lang="{lang}" xml:lang="{lang}" ', 1
    )


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("book_accessibility_summary", "", "epub", types=frozenset({str}))
    app.connect("builder-inited", _fix_epub_builder)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
