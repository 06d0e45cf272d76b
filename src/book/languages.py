"""The per-language table, `languages.toml`, as frozen dataclasses.

Imported by the extensions (book.sphinxext), the commands and the tests; not run on its own
except to list the published languages:

    python -m book.languages          # one tag per line, the source language first

A language is published when it is the source language or has a folder locale/<tag>/, and it
has a row in languages.toml. A folder without a row, or a malformed tag, is an error that
names the folder: a half-configured edition must not be built silently.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from book import layout

TABLE = layout.ROOT / "languages.toml"
LOCALE_DIR = layout.LOCALE
SOURCE_LANGUAGE = "ja"
# BCP 47-like gettext tags as Sphinx uses them: ja, en, zh_CN, pt_BR, sr_Latn.
TAG_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Z]{2}|_[A-Z][a-z]{3})?$")


# Keys a row may leave out even when [defaults] does not give them.
OPTIONAL_KEYS = {"og_locale"}


class LanguageError(Exception):
    """The language table or the locale folders are inconsistent."""


@dataclass(frozen=True)
class Language:
    tag: str
    name: str
    native_name: str
    author: str
    latex_engine: str
    latex_docclass: str
    latex_papersize: str
    latex_classoptions: str
    latex_fonts: str
    latex_jacharrange: str
    search_language: str
    search_options: tuple[tuple[str, str], ...]
    debian_packages: tuple[str, ...]
    accessibility_summary: str
    complete: bool
    vertical_epub: bool
    card_font: str
    colophon_position: str
    chapter_label: str
    tagged_pdf: bool
    og_locale: str = ""  # optional: see sharing_locale

    @property
    def is_source(self) -> bool:
        return self.tag == SOURCE_LANGUAGE

    @property
    def sharing_locale(self) -> str:
        """OpenGraph's og:locale: the row's og_locale, else the likely one for the tag."""
        return self.og_locale or likely_locale(self.tag)

    @property
    def html_search_options(self) -> dict[str, str]:
        """Sphinx's html_search_options: a file of docs/_search/ named by its full path."""
        return {
            key: str(layout.DOCS / value) if value.startswith("_search/") else value
            for key, value in self.search_options
        }

    def chapter_name(self, number: int) -> str:
        """The label of chapter `number` before its title (第1章　, 第一章　, Chapter 1: ): the
        row's chapter_label."""
        return self.chapter_label.format(n=number, hanzi=hanzi_numeral(number))

    @property
    def html_lang(self) -> str:
        """The tag as HTML, EPUB and PDF metadata spell it (zh_CN → zh-CN)."""
        return self.tag.replace("_", "-")


HANZI_DIGITS = "〇一二三四五六七八九"
COLOPHON_POSITIONS = ("front", "back")


def hanzi_numeral(number: int) -> str:
    """1–99 in Chinese numerals (一, 十, 十二, 二十一), as ctex's \\chinese prints a chapter's
    number. Written here because babel has no spell-out rules (CLDR's RBNF) and a book has
    fewer than a hundred chapters."""
    if not 0 < number < 100:
        raise ValueError(f"chapter number {number} outside 1–99")
    tens, units = divmod(number, 10)
    return (
        (HANZI_DIGITS[tens] if tens > 1 else "")
        + ("十" if tens else "")
        + (HANZI_DIGITS[units] if units else "")
    )


def likely_locale(tag: str) -> str:
    """language_TERRITORY for a tag without a territory (de → de_DE), from the CLDR's likely
    subtags (babel): what OpenGraph's og:locale wants when the row does not say. Babel is
    imported here, not at the top: src/book/setup_env.py reads the table with the system's
    Python, before the virtual environment exists."""
    from babel.core import get_global

    if "_" in tag and tag.split("_")[1].isupper():
        return tag
    likely = get_global("likely_subtags").get(tag.split("_")[0], tag)
    parts = likely.split("_")
    return f"{parts[0]}_{parts[-1]}" if len(parts) > 1 else tag


def load_table(path: Path = TABLE) -> dict[str, Language]:
    """Every row of the table, defaults applied, keyed by tag."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LanguageError(f"{path}: {exc}") from exc
    defaults = data.get("defaults", {})
    names = {f.name for f in fields(Language)} - {"tag"}
    table: dict[str, Language] = {}
    for tag, row in data.get("languages", {}).items():
        if not TAG_PATTERN.match(tag):
            raise LanguageError(f"{path}: [languages.{tag}]: malformed language tag")
        values = {**defaults, **row}
        unknown = set(values) - names
        missing = names - set(values) - OPTIONAL_KEYS
        if unknown or missing:
            raise LanguageError(
                f"{path}: [languages.{tag}]: "
                + (f"unknown keys {sorted(unknown)} " if unknown else "")
                + (f"missing keys {sorted(missing)}" if missing else "")
            )
        if values["colophon_position"] not in COLOPHON_POSITIONS:
            raise LanguageError(
                f"{path}: [languages.{tag}]: colophon_position must be one of "
                f"{', '.join(COLOPHON_POSITIONS)}, not {values['colophon_position']!r}"
            )
        values["debian_packages"] = tuple(values["debian_packages"])
        values["search_options"] = tuple(sorted(values["search_options"].items()))
        table[tag] = Language(tag=tag, **values)
    if SOURCE_LANGUAGE not in table:
        raise LanguageError(f"{path}: no row for the source language {SOURCE_LANGUAGE!r}")
    return table


def published_languages(table: dict[str, Language] | None = None) -> list[Language]:
    """The source language, then every language with a catalog folder, in tag order."""
    table = load_table() if table is None else table
    tags = [SOURCE_LANGUAGE]
    if LOCALE_DIR.is_dir():
        for folder in sorted(p for p in LOCALE_DIR.iterdir() if p.is_dir()):
            tag = folder.name
            if not TAG_PATTERN.match(tag):
                raise LanguageError(f"{folder}: malformed language tag {tag!r}")
            if tag not in table:
                raise LanguageError(
                    f"{folder}: no row [languages.{tag}] in {TABLE.name}; add one that says "
                    "how to typeset this language"
                )
            if tag != SOURCE_LANGUAGE:
                tags.append(tag)
    return [table[tag] for tag in tags]


def get(tag: str) -> Language:
    """The row of one language, or a LanguageError naming the tag."""
    table = load_table()
    if tag not in table:
        raise LanguageError(f"unknown language {tag!r}; known: {', '.join(sorted(table))}")
    return table[tag]


if __name__ == "__main__":
    try:
        for language in published_languages():
            print(language.tag)
    except LanguageError as exc:
        sys.exit(f"error: {exc}")
