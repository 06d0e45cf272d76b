"""A translation's messages as readers get them, and the checks of one message.

What a Sphinx run needs of the catalogs, without the catalog commands (book.catalogs): the
build's configuration translates the title and the description through `translate`, and the
catalog guard (book.sphinxext.catalog_guard) refuses a message that `message_findings`
faults. Both apply the same checks as `make check-catalogs` (book.message_checks).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polib

from book import languages, layout, message_checks

# The catalog of the theme's and templates' labels, beside one catalog per page.
THEME_CATALOG = "sphinx.po"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    kind: str
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        level = "error" if self.blocking else "note"
        return f"{self.path}:{self.line}: {level}: {self.kind}: {self.message}"


def catalog_files(tag: str) -> list[Path]:
    return sorted((layout.LOCALE / tag / "LC_MESSAGES").rglob("*.po"))


def catalog_path(tag: str, domain: str) -> Path:
    """The catalog of one page (its docname) or of the labels (`sphinx`) in one language."""
    return layout.LOCALE / tag / "LC_MESSAGES" / f"{domain}.po"


# -- One message -------------------------------------------------------------------------------


FACTS_EXCEPTION = re.compile(r"^facts:[ \t]*(?P<reason>.*)$", re.M)


def fact_exception(entry: polib.POEntry) -> str | None:
    """Why a translation deliberately differs from its msgid in a fact, if its translator
    said so: a translator comment `# facts: <reason>` on the entry. A translator comment (`# `)
    rather than an extracted one (`#.`), because `make catalogs` (msgmerge) keeps the former and
    replaces the latter. An empty reason is no exception."""
    match = FACTS_EXCEPTION.search(entry.tcomment or "")
    return (match["reason"].strip() or None) if match else None


def glossary() -> list[dict[str, object]]:
    """The terms every translation must use (locale/glossary.toml)."""
    return tomllib.loads(layout.GLOSSARY.read_text(encoding="utf-8"))["term"]


def message_findings(
    path: str, entry: polib.POEntry, tag: str, terms: list[dict[str, object]]
) -> list[Finding]:
    """Markup, Unicode, terminology and facts of one translated entry (message_checks.py). A
    difference of facts that the entry's `# facts:` comment explains is a note, not an error."""
    msgid, msgstr = entry.msgid, entry.msgstr
    problems = [
        *message_checks.markup_problems(msgid, msgstr),
        *message_checks.unicode_problems(msgid, msgstr),
        *message_checks.terminology_problems(msgid, msgstr, tag, terms),
    ]
    reason = fact_exception(entry)
    findings = [Finding(path, entry.linenum, p.kind, p.message) for p in problems]
    for problem in message_checks.facts_problems(msgid, msgstr, tag, terms):
        if reason:
            message = f"{problem.message} (exception: {reason})"
            findings.append(Finding(path, entry.linenum, "facts", message, blocking=False))
        else:
            findings.append(Finding(path, entry.linenum, "facts", problem.message))
    return findings


def translate(tag: str, docname: str, msgid: str) -> str:
    """A message of the book in one language: its catalog's msgstr, or the original when the
    message is untranslated or fuzzy (as Sphinx itself falls back) or fails the checks of a
    message (as the build itself refuses it, book.sphinxext.catalog_guard)."""
    path = catalog_path(tag, docname)
    if tag == languages.SOURCE_LANGUAGE or not path.exists():
        return msgid
    entry = polib.pofile(str(path)).find(msgid)
    if entry is None or not entry.translated():
        return msgid
    if any(f.blocking for f in message_findings(layout.relative(path), entry, tag, glossary())):
        return msgid
    return entry.msgstr


# -- A language's catalogs as a whole --------------------------------------------------------


@dataclass
class Statistics:
    tag: str
    name: str
    native_name: str
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return round(100 * self.translated / self.total, 1) if self.total else 0.0


def statistics(language: languages.Language) -> tuple[Statistics, dict[str, Statistics]]:
    """Counts of a language and of each of its catalogs, as msgfmt --statistics counts."""
    overall = Statistics(language.tag, language.name, language.native_name)
    per_file = {}
    for path in catalog_files(language.tag):
        counts = Statistics(language.tag, language.name, language.native_name)
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if entry.fuzzy:
                counts.fuzzy += 1
            elif entry.translated():
                counts.translated += 1
            else:
                counts.untranslated += 1
        per_file[layout.relative(path)] = counts
        overall.translated += counts.translated
        overall.fuzzy += counts.fuzzy
        overall.untranslated += counts.untranslated
    return overall, per_file


# A credit line of a catalog's header comment, as gettext tools write it ("Name <address>,
# 2025, 2026."), and the placeholder that xgettext/sphinx-intl leave in a new catalog.
CREDIT = re.compile(r"^(?P<name>[^<>,\n]+?)\s*(?:<[^<>]*>)?\s*,\s*\d{4}")
PLACEHOLDERS = {"FIRST AUTHOR", "FULL NAME", "SOME DESCRIPTIVE TITLE."}


def translators(tag: str) -> list[str]:
    """Who translated a language: the names its catalogs credit, where gettext tools keep
    them (each header's Last-Translator, and the credit lines of its header comment), without
    addresses or the placeholders of a new catalog; in the order first met, each once."""
    names: list[str] = []
    for path in catalog_files(tag):
        catalog = polib.pofile(str(path))
        found = [catalog.metadata.get("Last-Translator", "").split("<")[0]]
        found += [m["name"] for line in catalog.header.splitlines() if (m := CREDIT.match(line))]
        for name in (n.strip() for n in found):
            if name and name not in PLACEHOLDERS and name not in names:
                names.append(name)
    return names
