"""The translation catalogs (locale/<tag>/LC_MESSAGES/*.po): refresh, add, check, count.

Usage:
    python -m book.catalogs update          # after the Japanese source changed: POT files
                                              # into build/gettext/, then every catalog
    python -m book.catalogs add TAG         # a new language (needs a row in languages.toml)
    python -m book.catalogs check [TAG ...] # every check below; exit 1 on any finding
    python -m book.catalogs stats [--json FILE]  # translated / fuzzy / untranslated

`check` reports each finding as `file:line: kind: message`:
- syntax, headers (Language, UTF-8 charset, Plural-Forms for the language), per `msgfmt
  --check` and polib;
- fuzzy and untranslated entries (errors for a language whose row in languages.toml says
  `complete = true`, notes otherwise: such messages fall back to Japanese);
- markup preserved: every link URL, MyST role with its target, inline code, footnote
  reference and emphasis of the msgid is in the msgstr, and no other;
- no smuggled markup: no HTML tag and no template syntax ({{ }}, {% %}) that the msgid lacks;
- terminology: where a msgid contains a term of locale/glossary.toml, the msgstr contains
  that language's form of it.

The catalog `sphinx.po` holds labels rather than the book's text: those of the book's own
templates (Sphinx extracts them into sphinx.pot) and those of the furo theme, which has no
catalogs of its own (FURO_MESSAGES below). The source language has only this catalog.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import polib
from babel import UnknownLocaleError
from babel.messages.plurals import get_plural

from book import languages, layout, strict_sphinx
from book.translations import (
    THEME_CATALOG,
    Finding,
    catalog_files,
    fact_exception,
    glossary,
    message_findings,
    statistics,
)

# Labels of the furo theme that readers see, as its templates spell them.
FURO_MESSAGES = ("Previous", "Next", "Home", "On this page", "Back to top")
# Messages of Sphinx's search page that Sphinx's own catalogs leave empty for some language
# (Japanese: the search page then ends with an empty status line): ours translate them.
SEARCH_MESSAGES = (
    (
        "Search finished, found one page matching the search query.",
        "Search finished, found ${resultCount} pages matching the search query.",
    ),
)
MSGFMT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<message>.*)$")
POLIB_LINE = re.compile(r"line (\d+)")


# -- One catalog -------------------------------------------------------------------------------


def plural_forms(tag: str) -> str | None:
    """A language's gettext Plural-Forms (`nplurals=…; plural=…;`), from babel's table of
    gettext rules (the one `pybabel init` and sphinx-intl use); None for an unknown tag."""
    try:
        return get_plural(tag).plural_forms
    except (UnknownLocaleError, ValueError):
        return None


def expected_nplurals(tag: str) -> int | None:
    try:
        return get_plural(tag).num_plurals
    except (UnknownLocaleError, ValueError):
        return None


def msgfmt_findings(path: Path, language: languages.Language) -> list[Finding]:
    if not shutil.which("msgfmt"):
        return [
            Finding(layout.relative(path), 0, "tool", "msgfmt is missing (Debian package gettext)")
        ]
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    findings = []
    for line in result.stderr.splitlines():
        match = MSGFMT_LINE.match(line)
        if match and "fatal" not in match["message"]:
            # Warnings (header fields left at their defaults) block a finished edition only.
            blocking = language.complete or "warning:" not in match["message"]
            findings.append(
                Finding(
                    layout.relative(path), int(match["line"]), "msgfmt", match["message"], blocking
                )
            )
    if result.returncode != 0 and not findings:
        findings.append(Finding(layout.relative(path), 0, "msgfmt", result.stderr.strip()))
    return findings


def header_findings(path: str, catalog: polib.POFile, tag: str) -> list[Finding]:
    findings = []
    meta = catalog.metadata
    if meta.get("Language") != tag:
        findings.append(
            Finding(path, 1, "header", f"Language is {meta.get('Language')!r}, expected {tag!r}")
        )
    if "charset=utf-8" not in meta.get("Content-Type", "").lower():
        findings.append(Finding(path, 1, "header", "Content-Type must say charset=UTF-8"))
    plural = meta.get("Plural-Forms", "")
    match = re.search(r"nplurals\s*=\s*(\d+)", plural)
    expected = expected_nplurals(tag)
    if not match:
        findings.append(Finding(path, 1, "header", "Plural-Forms is missing"))
    elif expected is not None and int(match[1]) != expected:
        findings.append(
            Finding(
                path, 1, "header", f"Plural-Forms has nplurals={match[1]}, {tag} has {expected}"
            )
        )
    return findings


def check_catalog(path: Path, language: languages.Language) -> list[Finding]:
    name = layout.relative(path)
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [Finding(name, line, "encoding", f"not UTF-8: {exc}")]
    findings = msgfmt_findings(path, language)
    try:
        catalog = polib.pofile(str(path), check_for_duplicates=True)
    except (OSError, ValueError) as exc:
        line = POLIB_LINE.search(str(exc))
        return [*findings, Finding(name, int(line[1]) if line else 0, "syntax", str(exc))]
    if any(f.blocking for f in findings):  # msgfmt named the broken lines; no repetition
        return findings
    findings += header_findings(name, catalog, language.tag)
    terms = glossary()
    for entry in catalog:
        if entry.obsolete:
            continue
        excerpt = entry.msgid[:60].replace("\n", " ")
        if entry.fuzzy:
            findings.append(
                Finding(name, entry.linenum, "fuzzy", excerpt, blocking=language.complete)
            )
        elif not entry.translated():
            findings.append(
                Finding(name, entry.linenum, "untranslated", excerpt, blocking=language.complete)
            )
        else:
            findings += message_findings(name, entry, language.tag, terms)
    return findings


# -- Statistics --------------------------------------------------------------------------------


def exceptions(language: languages.Language) -> list[dict[str, object]]:
    """The entries whose translator explained a deliberate difference of facts (# facts:)."""
    found = []
    for path in catalog_files(language.tag):
        for entry in polib.pofile(str(path)):
            reason = None if entry.obsolete else fact_exception(entry)
            if reason:
                found.append(
                    {"file": layout.relative(path), "line": entry.linenum, "msgid": entry.msgid,
                     "reason": reason}
                )  # fmt: skip
    return found


def translations() -> list[languages.Language]:
    return [lang for lang in languages.published_languages() if not lang.is_source]


def status_report() -> dict:
    report = {"languages": []}
    for language in translations():
        overall, per_file = statistics(language)
        report["languages"].append(
            {
                **asdict(overall),
                "total": overall.total,
                "percent": overall.percent,
                "exceptions": exceptions(language),
                "catalogs": {
                    path: {**asdict(c), "total": c.total, "percent": c.percent}
                    for path, c in per_file.items()
                },
            }
        )
    return report


# -- Commands ----------------------------------------------------------------------------------


def extract() -> None:
    """The POT files, one per page, from the Japanese source (strict, like every build);
    sphinx.pot gets the theme's labels beside those of the book's templates."""
    subprocess.run(strict_sphinx.command("gettext", layout.GETTEXT), check=True)
    pot = polib.pofile(str(layout.GETTEXT / "sphinx.pot"))
    known = {entry.msgid for entry in pot}
    for msgid in FURO_MESSAGES:
        if msgid not in known:
            pot.append(polib.POEntry(msgid=msgid, msgstr="", occurrences=[("furo", "")]))
    for msgid, plural in SEARCH_MESSAGES:
        if msgid not in known:
            pot.append(
                polib.POEntry(
                    msgid=msgid,
                    msgid_plural=plural,
                    msgstr_plural={0: ""},
                    occurrences=[("searchtools.js", "")],
                )
            )
    pot.save(str(layout.GETTEXT / "sphinx.pot"))


def update_source_theme_catalog() -> None:
    """The source language's only catalog, sphinx.po: add new labels, keep the others."""
    tag = languages.SOURCE_LANGUAGE
    path = layout.LOCALE / tag / "LC_MESSAGES" / THEME_CATALOG
    catalog = polib.pofile(str(path)) if path.exists() else new_catalog(tag)
    known = {entry.msgid for entry in catalog}
    for entry in polib.pofile(str(layout.GETTEXT / "sphinx.pot")):
        if entry.msgid and entry.msgid not in known:
            if entry.msgid_plural:
                catalog.append(
                    polib.POEntry(
                        msgid=entry.msgid, msgid_plural=entry.msgid_plural, msgstr_plural={0: ""}
                    )
                )
            else:
                catalog.append(polib.POEntry(msgid=entry.msgid, msgstr=""))
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog.save(str(path))


def new_catalog(tag: str) -> polib.POFile:
    catalog = polib.POFile(wrapwidth=76)
    catalog.header = "Labels of the theme and the book's templates (src/book/catalogs.py)."
    catalog.metadata = {
        "Project-Id-Version": "xi-russia-2023-book",
        "Language": tag,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(tag) or "nplurals=1; plural=0;",
    }
    return catalog


def refresh_locations(catalog_path: Path, template_path: Path) -> bool:
    """Give a catalog its template's source lines and message order; True if that changed it.
    sphinx-intl rewrites a catalog only when its messages change, so a page edited around them
    (a line added above) kept the old lines, and the review page orders a page's messages by
    them. Obsolete entries stay, last."""
    template = polib.pofile(str(template_path))
    catalog = polib.pofile(str(catalog_path), wrapwidth=0)  # unwrapped, as sphinx-intl -w 0
    place = {(e.msgctxt, e.msgid): (n, e.occurrences) for n, e in enumerate(template)}
    before = [(e.msgid, list(e.occurrences)) for e in catalog]
    for entry in catalog:
        if not entry.obsolete and (entry.msgctxt, entry.msgid) in place:
            # Sphinx numbers a message without a line (front matter) 0; gettext writes none.
            occurrences = place[(entry.msgctxt, entry.msgid)][1]
            entry.occurrences = [(path, "" if line == "0" else line) for path, line in occurrences]
    catalog.sort(key=lambda e: (e.obsolete, place.get((e.msgctxt, e.msgid), (len(place), None))[0]))
    if [(e.msgid, list(e.occurrences)) for e in catalog] == before:
        return False
    catalog.save(str(catalog_path))
    return True


def update(tags: list[str]) -> None:
    extract()
    update_source_theme_catalog()
    for tag in tags:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sphinx_intl",
                "update",
                "-p",
                str(layout.GETTEXT),
                "-d",
                str(layout.LOCALE),
                "-l",
                tag,
                "-w",
                "0",
            ],
            check=True,
        )
        for path in catalog_files(tag):
            template = layout.GETTEXT / path.relative_to(layout.LOCALE / tag / "LC_MESSAGES")
            if template.with_suffix(".pot").exists() and refresh_locations(
                path, template.with_suffix(".pot")
            ):
                print(f"Refreshed source lines: {layout.relative(path)}")


def add(tag: str) -> int:
    if not languages.TAG_PATTERN.match(tag):
        print(f"catalogs: malformed language tag {tag!r} (e.g. de, pt_BR, zh_CN)", file=sys.stderr)
        return 2
    if tag == languages.SOURCE_LANGUAGE:
        print(f"catalogs: {tag} is the source language", file=sys.stderr)
        return 2
    if tag not in languages.load_table():
        print(
            f"catalogs: add a row [languages.{tag}] to languages.toml first (name, native_name, "
            "author, LaTeX engine and fonts): it says how the edition is typeset",
            file=sys.stderr,
        )
        return 2
    update([tag])
    print(f"catalogs: created {layout.relative(layout.LOCALE / tag)}; translate its .po files")
    return 0


def check(tags: list[str]) -> int:
    findings: list[Finding] = []
    for tag in tags:
        language = languages.get(tag)
        files = catalog_files(tag)
        if not files:
            findings.append(Finding(layout.relative(layout.LOCALE / tag), 0, "catalogs", "none"))
        for path in files:
            findings += check_catalog(path, language)
    for finding in findings:
        print(finding)
    blocking = [f for f in findings if f.blocking]
    print(
        f"catalogs: {len(blocking)} error(s), {len(findings) - len(blocking)} note(s) in "
        f"{', '.join(tags) or 'no language'}",
        file=sys.stderr,
    )
    return 1 if blocking else 0


def print_stats(json_path: Path | None) -> None:
    report = status_report()
    print(f"{'language':<22} {'translated':>10} {'fuzzy':>6} {'untranslated':>12} {'%':>6}")
    for row in report["languages"]:
        print(
            f"{row['tag'] + ' (' + row['native_name'] + ')':<22} {row['translated']:>10} "
            f"{row['fuzzy']:>6} {row['untranslated']:>12} {row['percent']:>6.1f}"
        )
    for row in report["languages"]:
        for item in row["exceptions"]:
            print(f"{item['file']}:{item['line']}: facts exception: {item['reason']}")
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="refresh every catalog from the Japanese source")
    p_add = sub.add_parser("add", help="add a language")
    p_add.add_argument("tag")
    p_check = sub.add_parser("check", help="check catalogs")
    p_check.add_argument("tags", nargs="*", metavar="TAG")
    p_stats = sub.add_parser("stats", help="translation statistics")
    p_stats.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "update":
            update([lang.tag for lang in translations()])
            return 0
        if args.command == "add":
            return add(args.tag)
        if args.command == "check":
            tags = args.tags or [lang.tag for lang in languages.published_languages()]
            return check(tags)
        print_stats(args.json)
        return 0
    except languages.LanguageError as exc:
        print(f"catalogs: error: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"catalogs: error: {' '.join(map(str, exc.cmd))} failed", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
