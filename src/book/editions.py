"""What a reader gets: the editions of the book and the files they are published as.

An edition is one language in one format (HTML, EPUB, PDF), or a variant of one: the vertical
(縦書き) EPUB of a language whose row in languages.toml says `vertical_epub`. Its names (the
download's file name, the Sphinx basename, the EPUB identifier) and where it is published are
made here and nowhere else:

    build/site/<tag>/                           the HTML edition
    build/site/downloads/<slug>-<tag>.epub      the EPUB edition
    build/site/downloads/<slug>-<tag>-vertical.epub   its vertical variant
    build/site/downloads/<slug>-<tag>.pdf       the PDF edition
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from book import layout, project
from book.languages import Language

SLUG = project.setting("slug")  # the book's name in file names and identifiers
FORMATS = ("html", "epub", "pdf")
VERTICAL = "vertical"
# The Sphinx settings (`-D`) that make a variant of its format.
VARIANT_SETTINGS = {VERTICAL: ("epub_writing_mode=vertical",)}


@dataclass(frozen=True)
class Edition:
    language: Language
    fmt: str  # html, epub or pdf
    variant: str = ""  # "" or "vertical"

    @property
    def key(self) -> str:
        """The edition among all: ja, en, ja-vertical."""
        return f"{self.language.tag}-{self.variant}" if self.variant else self.language.tag

    @property
    def name(self) -> str:
        """As the build reports it: ja/epub, ja/epub-vertical."""
        return f"{self.language.tag}/{self.fmt}" + (f"-{self.variant}" if self.variant else "")

    @property
    def basename(self) -> str:
        """The file name without extension, in Sphinx's output and in downloads/."""
        return f"{SLUG}-{self.key}"

    @property
    def file_name(self) -> str:
        return f"{self.basename}.{self.fmt}"

    @property
    def published(self) -> Path:
        """Where readers get it: the HTML edition's folder, or the download."""
        if self.fmt == "html":
            return layout.SITE / self.language.tag
        return layout.DOWNLOADS / self.file_name

    @property
    def sphinx_settings(self) -> tuple[str, ...]:
        return VARIANT_SETTINGS.get(self.variant, ())


def editions_of(language: Language, formats: Iterable[str] = FORMATS) -> list[Edition]:
    """A language's editions in the given formats, each followed by its variants."""
    result = []
    for fmt in formats:
        result.append(Edition(language, fmt))
        if fmt == "epub" and language.vertical_epub:
            result.append(Edition(language, fmt, VERTICAL))
    return result


def downloads(language: Language) -> list[Edition]:
    """The files of a language that a reader downloads: EPUB (and variants), PDF."""
    return editions_of(language, ("epub", "pdf"))


def edition(tag: str, fmt: str, variant: str = "") -> Edition:
    """One edition by its language tag (a LanguageError for an unknown tag)."""
    from book import languages

    return Edition(languages.get(tag), fmt, variant)
