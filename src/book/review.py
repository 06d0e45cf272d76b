"""The review edition: one HTML page per translation with every message of its catalogs, the
Japanese and the translation side by side, for the reviewers of a contribution.

Usage:
    python -m book.review [TAG ...]     # build/site/review/<tag>.html; no TAG: every
                                           # translation
    python -m book.review en --site DIR --locale DIR   # other site and catalog folders

    make review TAG=en                     # the same through make; no TAG: every translation

It reads the catalogs (locale/<tag>/LC_MESSAGES/*.po) and the Japanese source (docs/) only: no
Sphinx build is needed, so a translator has the page in a second. The build (site_pages.py)
also writes every translation's page, and the translation status page links to each.

The page shows, in the book's reading order (docs/index.md's toctree, depth first; within a
page, by the line of the source each message comes from; the theme's labels, sphinx.po, last),
for every message that is not obsolete:
- the Japanese (msgid) and the translation (msgstr) side by side, the PO file and line, and
  the line of the source;
- its state: translated; fuzzy (not published), with the Japanese it was translated from
  (`#| msgid`) as a character diff against the current Japanese; untranslated (readers get the
  Japanese); or exception (a translator comment `# facts: <reason>`, with the reason);
- the findings of the catalog checks (catalogs.check_catalog) on that message, each marked as
  an error (it blocks the build) or a note. Findings on a whole file (headers, encoding) stand
  at the top of the page, with a summary: messages per state, errors, notes, and a link to
  every message with an error.

The page is plain HTML and one stylesheet (site_static/review.css, copied beside the review/
folder), with relative links only: it works from the file system as well as over HTTP. The
same input gives the same bytes (no date in it). Exit status 2 for a tag that is not a
published translation.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import polib

from book import catalogs, files, languages, layout, pages, translations

TEMPLATES = layout.PACKAGE / "templates"
STATIC = layout.PACKAGE / "site_static"
# What the page links to, copied to the site's root beside the review/ folder.
ASSETS = ("review.css", "favicon.svg")
FOLDER = "review"
INDEX = pages.INDEX
THEME_GROUP = "Theme labels"
STATES = ("translated", "exception", "fuzzy", "untranslated")


class ReviewError(Exception):
    """A tag that is not a published translation."""


# -- Reading order -----------------------------------------------------------------------------


def source_lines(entry: polib.POEntry) -> list[int]:
    return sorted(int(line) for _, line in entry.occurrences if str(line).isdigit())


def reading_key(entry: polib.POEntry) -> tuple[int, int, int]:
    """A message without a source line (a page's description from its front matter) first,
    then by the first line of the source it comes from; the PO file's order breaks ties."""
    lines = source_lines(entry)
    return (1, lines[0], entry.linenum) if lines else (0, 0, entry.linenum)


# -- One message -------------------------------------------------------------------------------


@dataclass
class Text:
    label: str  # "" for a message without plural forms
    text: str


@dataclass
class Message:
    anchor: str
    location: str  # locale/en/LC_MESSAGES/x.po:42
    sources: list[str]  # docs/x.md:12
    context: str
    original: list[Text]
    translation: list[Text]
    state: str
    reason: str | None
    diff: list[tuple[str, str]] | None
    comments: list[str]
    japanese_label: str | None = None  # theme labels: the Japanese edition's wording
    findings: list[translations.Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[translations.Finding]:
        return [f for f in self.findings if f.blocking]


def state_of(entry: polib.POEntry) -> str:
    if entry.fuzzy:
        return "fuzzy"
    if not entry.translated():
        return "untranslated"
    return "exception" if translations.fact_exception(entry) else "translated"


def character_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The previous Japanese against the current one, character by character: (op, text)
    with op equal, delete (only in before) or insert (only in after)."""
    pieces = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", before[i1:i2]))
            continue
        if i2 > i1:
            pieces.append(("delete", before[i1:i2]))
        if j2 > j1:
            pieces.append(("insert", after[j1:j2]))
    return pieces


def comments_of(entry: polib.POEntry) -> list[str]:
    """The extracted comment and the translator comment, without the facts line (its reason is
    shown as the exception)."""
    lines = [line for line in (entry.comment or "").splitlines() if line.strip()]
    lines += [
        line
        for line in (entry.tcomment or "").splitlines()
        if line.strip() and not translations.FACTS_EXCEPTION.match(line)
    ]
    return lines


def message(entry: polib.POEntry, docname: str, location: str) -> Message:
    if entry.msgid_plural:
        original = [Text("singular", entry.msgid), Text("plural", entry.msgid_plural)]
        translation = [Text(f"form {n}", text) for n, text in sorted(entry.msgstr_plural.items())]
    else:
        original, translation = [Text("", entry.msgid)], [Text("", entry.msgstr)]
    previous = entry.previous_msgid if entry.fuzzy else None
    return Message(
        anchor=f"{docname}:{entry.linenum}",
        location=f"{location}:{entry.linenum}",
        sources=[
            f"{path.removeprefix('../../')}:{line}" if line else path.removeprefix("../../")
            for path, line in entry.occurrences
        ],
        context=entry.msgctxt or "",
        original=original,
        translation=translation,
        state=state_of(entry),
        reason=translations.fact_exception(entry),
        diff=character_diff(previous, entry.msgid) if previous else None,
        comments=comments_of(entry),
    )


# -- One catalog, one page of the book ---------------------------------------------------------


@dataclass
class Group:
    anchor: str
    docname: str
    catalog: str  # locale/en/LC_MESSAGES/x.po
    heading: str  # the Japanese title of the page, or "Theme labels"
    heading_lang: str
    translated_heading: str | None
    edition_page: str | None  # the page in the built edition, relative to review/
    messages: list[Message]
    unreadable: bool = False

    @property
    def counts(self) -> Counter[str]:
        return Counter(m.state for m in self.messages)

    @property
    def errors(self) -> int:
        return sum(len(m.errors) for m in self.messages)


def display_path(path: Path) -> str:
    """locale/<tag>/LC_MESSAGES/x.po, wherever the locale folder is."""
    return path.relative_to(layout.LOCALE.parent).as_posix()


def read_group(
    path: Path, docname: str, language: languages.Language
) -> tuple[Group, list[translations.Finding]]:
    """One catalog's messages in reading order, each with its findings; the findings on the
    whole file (headers, encoding, or a file polib cannot read) apart."""
    location = display_path(path)
    # Named as the page names the catalog (locale/…), wherever the locale folder is.
    findings = [
        dataclasses.replace(f, path=location) for f in catalogs.check_catalog(path, language)
    ]
    is_theme = path.name == translations.THEME_CATALOG
    heading = THEME_GROUP if is_theme else pages.title(docname) or docname
    group = Group(
        anchor=f"page-{docname}",
        docname=docname,
        catalog=location,
        heading=heading,
        heading_lang="en" if is_theme else languages.SOURCE_LANGUAGE,
        translated_heading=None,
        edition_page=None
        if is_theme or not pages.source(docname).is_file()
        else f"../{language.tag}/{docname}.html",
        messages=[],
    )
    try:
        catalog = polib.pofile(str(path))
    except (OSError, ValueError, UnicodeDecodeError):
        group.unreadable = True
        return group, findings
    entries = [e for e in catalog if not e.obsolete]
    if not is_theme:
        entries.sort(key=reading_key)
    japanese_labels = theme_labels_of_source() if is_theme else {}
    by_line = {}
    for entry in entries:
        item = message(entry, docname, location)
        item.japanese_label = japanese_labels.get(entry.msgid)
        if not is_theme and entry.msgid == heading and entry.translated():
            group.translated_heading = entry.msgstr
        group.messages.append(item)
        by_line[entry.linenum] = item
    starts = sorted(by_line)
    whole_file = []
    for finding in findings:
        # A finding names an entry's first line; a line inside an entry (msgfmt) belongs to it.
        owner = max((line for line in starts if line <= finding.line), default=None)
        if finding.line <= 1 or owner is None:
            whole_file.append(finding)
        else:
            by_line[owner].findings.append(finding)
    return group, whole_file


def theme_labels_of_source() -> dict[str, str]:
    """The labels as the Japanese edition shows them (locale/ja/.../sphinx.po)."""
    path = layout.LOCALE / languages.SOURCE_LANGUAGE / "LC_MESSAGES" / translations.THEME_CATALOG
    try:
        catalog = polib.pofile(str(path))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return {e.msgid: e.msgstr for e in catalog if e.translated() and not e.msgid_plural}


def groups_of(language: languages.Language) -> tuple[list[Group], list[translations.Finding]]:
    folder = layout.LOCALE / language.tag / "LC_MESSAGES"
    by_doc = {
        path.relative_to(folder).with_suffix("").as_posix(): path
        for path in translations.catalog_files(language.tag)
    }
    theme = Path(translations.THEME_CATALOG).stem
    order = [doc for doc in pages.reading_order() if doc in by_doc]
    order += sorted(doc for doc in by_doc if doc not in order and doc != theme)
    if theme in by_doc:
        order.append(theme)
    groups, whole_file = [], []
    for docname in order:
        group, findings = read_group(by_doc[docname], docname, language)
        groups.append(group)
        whole_file += findings
    return groups, whole_file


# -- The page ----------------------------------------------------------------------------------


def environment() -> jinja2.Environment:
    """The one environment of src/book/templates/: the review pages and the site's own pages
    (site_pages.py). Autoescaped, and strict: a name a template misses is an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def book_title(groups: list[Group]) -> tuple[str, str]:
    """The book's title in the language under review (its index heading), with its language;
    the Japanese while it is untranslated."""
    for group in groups:
        if group.docname == INDEX:
            if group.translated_heading:
                return group.translated_heading, "translation"
            return group.heading, "ja"
    return pages.title(INDEX) or "", "ja"


def render(language: languages.Language) -> str:
    groups, whole_file = groups_of(language)
    messages = [m for g in groups for m in g.messages]
    findings = whole_file + [f for m in messages for f in m.findings]
    title, title_lang = book_title(groups)
    title_lang = language.html_lang if title_lang == "translation" else title_lang
    return (
        environment()
        .get_template("review.html")
        .render(
            language=language,
            lang=language.html_lang,
            source_lang=languages.SOURCE_LANGUAGE,
            book_title=title,
            book_title_lang=title_lang,
            original_title=pages.title(INDEX) or "",
            groups=groups,
            whole_file=whole_file,
            states=STATES,
            counts=Counter(m.state for m in messages),
            total=len(messages),
            errors=sum(f.blocking for f in findings),
            notes=sum(not f.blocking for f in findings),
            with_errors=[m for m in messages if m.errors],
        )
    )


def translation(tag: str) -> languages.Language:
    published = {lang.tag: lang for lang in catalogs.translations()}
    known = ", ".join(published) or "none"
    if tag == languages.SOURCE_LANGUAGE:
        raise ReviewError(
            f"{tag} is the Japanese original, not a translation (translations: {known})"
        )
    if tag not in published:
        raise ReviewError(
            f"unknown language {tag!r}: not a published translation (translations: {known})"
        )
    return published[tag]


def page_path(site: Path, tag: str) -> Path:
    return site / FOLDER / f"{tag}.html"


def write(site: Path, tags: list[str] | None = None) -> list[Path]:
    """The review page of each translation (every one by default), and its assets."""
    chosen = [translation(tag) for tag in tags] if tags else catalogs.translations()
    (site / FOLDER).mkdir(parents=True, exist_ok=True)
    for asset in ASSETS:
        shutil.copyfile(STATIC / asset, site / asset)
    written = []
    for language in chosen:
        path = page_path(site, language.tag)
        files.write_atomically(path, render(language))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tags", nargs="*", metavar="TAG", help="translations (default: all)")
    parser.add_argument("--site", type=Path, default=layout.SITE, help="the site's folder")
    parser.add_argument(
        "--locale", type=Path, help="the catalogs' folder (default: locale/ of the project)"
    )
    args = parser.parse_args(argv)
    if args.locale:
        layout.LOCALE = args.locale.resolve()
        if (layout.LOCALE / layout.GLOSSARY.name).is_file():
            layout.GLOSSARY = layout.LOCALE / layout.GLOSSARY.name
    try:
        written = write(args.site, args.tags)
    except (ReviewError, languages.LanguageError) as exc:
        print(f"review: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"review: wrote {layout.relative(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
