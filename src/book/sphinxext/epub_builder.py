"""Sphinx extension: the book's EPUB builder, Sphinx's EPUB 3 builder with its defects fixed
at their cause (a subclass, registered as `epub`), with the stylesheets made readable by
every reading system (book.sphinxext.epub_css) and the vertical edition's writing mode
declared for Kindle (book.sphinxext.vertical_epub).

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
7. The navigation document's title and heading, and the guide's entry, are English in every
   book ("Table of Contents"; Sphinx: "XXX These strings should be localized according to
   epub_language"): they go through Sphinx's catalog of the edition's language (目次, 目录).

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
from sphinx.builders._epub_base import GUIDE_TITLES
from sphinx.builders.epub3 import Epub3Builder
from sphinx.locale import _

from book.sphinxext import epub_css, vertical_epub


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


class BookEpubBuilder(Epub3Builder):
    def init(self) -> None:
        super().init()
        lang = html.escape(self.config.epub_language, quote=True)  # fix 2
        self.html_tag = self.html_tag.replace(
            "<html ", f'<html lang="{lang}" xml:lang="{lang}" ', 1
        )
        self.guide_titles = {key: _(title) for key, title in GUIDE_TITLES.items()}  # fix 7

    def toc_metadata(self, level: int, navpoints: list[Any]) -> dict[str, Any]:
        metadata = super().toc_metadata(level, navpoints)
        metadata["uid"] = self.config.epub_identifier  # fix 1
        return metadata

    def copy_static_files(self) -> None:
        super().copy_static_files()
        epub_css.resolve_epub_stylesheets(Path(self.outdir, "_static"))

    def build_content(self) -> None:
        _mark_direction(Path(self.outdir))  # fix 6
        super().build_content()
        opf = Path(self.outdir, "content.opf")
        _add_accessibility_metadata(opf, self.config.book_accessibility_summary)  # fix 4
        if vertical_epub.is_vertical(self.config):
            vertical_epub.declare_writing_mode(opf)

    def build_navigation_doc(self) -> None:
        super().build_navigation_doc()
        nav = Path(self.outdir, "nav.xhtml")  # fix 5
        text = nav.read_text(encoding="utf-8")
        nav.write_text(
            text.replace('<nav epub:type="toc">', '<nav epub:type="toc" role="doc-toc">'), "utf-8"
        )

    def build_epub(self) -> None:
        super().build_epub()
        _repack_reproducibly(Path(self.outdir, self.config.epub_basename + ".epub"))  # fix 3


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("book.sphinxext.vertical_epub")
    app.add_config_value("book_accessibility_summary", "", "epub", types=frozenset({str}))
    app.add_builder(BookEpubBuilder, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
