"""The colophon (奥付, imprint page, 版权信息: docs/colophon.md) of every edition, read from the
built HTML, EPUB and PDF, against the places its data come from and outside authorities:

- the edition's title (the source's, through the catalog), the author line (languages.toml),
  the version (pyproject.toml), the date of the last commit (git) in the language's long date
  format (the CLDR's, through babel), the edition's address (pyproject.toml's base-url);
- in a translation: the numbers msgfmt --statistics counts in its catalogs, and the
  translators the catalogs' headers name (polib);
- the licences of pyproject.toml's `license`, and what no licence covers;
- where the page stands: a Japanese book's last page (奥付); in English and Chinese right
  after the title page (the PDF's page ii, before the contents; the EPUB's second document;
  the navigation's first entry).
"""

from __future__ import annotations

import datetime
import re
import subprocess
import tomllib
import zipfile

import polib
import pytest
from babel.dates import format_date
from conftest import (
    ROOT,
    TRANSLATIONS,
    epub_file,
    epub_package,
    heading,
    html_root,
    parse_html,
    pdf_file,
)
from lxml import etree, html
from pypdf import PdfReader
from test_translations import msgfmt_statistics

from book import languages, translations
from book.pages import COLOPHON

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
XHTML = {"x": "http://www.w3.org/1999/xhtml"}
# SPDX identifiers as the colophon writes the licences' names.
LICENCE_NAMES = {"MIT": "MIT", "CC-BY-4.0": "CC BY 4.0"}


def last_commit_date() -> datetime.date:
    epoch = subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()


def expected_values(tag: str) -> dict[str, str]:
    """The values the colophon gives, each from where the fact lives."""
    row = languages.get(tag)
    values = {
        "title": heading("index", tag),
        "author": row.author,
        "version": PYPROJECT["project"]["version"],
        "date": format_date(last_commit_date(), format="long", locale=row.sharing_locale),
        "address": f"{PYPROJECT['tool']['book']['base-url']}{tag}/",
    }
    return values


def squash(text: str) -> str:
    """Without white space (lines wrap), with straight apostrophes (smartquotes curl them)."""
    return re.sub(r"\s+", "", text).replace("’", "'")


def definitions(root: etree._Element) -> list[str]:
    """The text of every definition (dd) of the page's article, whitespace squashed."""
    return [squash(dd.xpath("string()")) for dd in root.xpath("//*[local-name()='dd']")]


def html_colophon(tag: str) -> html.HtmlElement:
    return parse_html(html_root(tag) / f"{COLOPHON}.html").xpath("//article")[0]


def epub_colophon(tag: str) -> etree._Element:
    with zipfile.ZipFile(epub_file(tag)) as book:
        return etree.fromstring(book.read(f"{COLOPHON}.xhtml"))


def pdf_colophon_page(tag: str) -> tuple[int, str]:
    """The PDF's page that the colophon's bookmark opens, and its text (pdftotext)."""
    pdf = pdf_file(tag)
    reader = PdfReader(pdf)
    title = heading(COLOPHON, tag)
    (item,) = [i for i in reader.outline if not isinstance(i, list) and i.title == title]
    index = reader.get_destination_page_number(item)
    text = subprocess.run(
        ["pdftotext", "-f", str(index + 1), "-l", str(index + 1), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return index, text


def test_the_colophon_gives_the_editions_data_in_html_and_epub(tag: str) -> None:
    for fmt, root in (("html", html_colophon(tag)), ("epub", epub_colophon(tag))):
        found = definitions(root)
        for key, value in expected_values(tag).items():
            assert squash(value) in found, (fmt, key, value, found)


def test_the_colophon_gives_the_editions_data_in_the_pdf(tag: str) -> None:
    _, text = pdf_colophon_page(tag)
    # A long title or address wraps; the URL may break at its slashes.
    for key, value in expected_values(tag).items():
        assert squash(value) in squash(text), (key, value)


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_a_translations_colophon_gives_its_status_and_translators(tag: str) -> None:
    catalogs = translations.catalog_files(tag)
    counts = [msgfmt_statistics(path) for path in catalogs]
    translated = sum(c[0] for c in counts)
    total = sum(sum(c) for c in counts)
    names = {
        polib.pofile(str(p)).metadata["Last-Translator"].split("<")[0].strip() for p in catalogs
    }
    assert names and "FULL NAME" not in names
    original_title = heading("index", languages.SOURCE_LANGUAGE)
    for fmt, root in (("html", html_colophon(tag)), ("epub", epub_colophon(tag))):
        text = squash(root.xpath("string()"))
        assert f"{translated}" in text and f"{total}" in text, fmt
        assert all(squash(name) in text for name in names), (fmt, names)
        # The original's title, marked as Japanese for speech and fonts.
        quoted = root.xpath("//*[@lang='ja' or @xml:lang='ja']")
        assert original_title in [q.xpath("string()") for q in quoted], fmt


def test_the_colophon_names_every_licence_and_what_none_covers(tag: str) -> None:
    spdx = re.findall(r"[A-Za-z0-9.-]+", PYPROJECT["project"]["license"].replace(" AND ", " "))
    assert sorted(spdx) == sorted(LICENCE_NAMES)
    licence_file = (ROOT / "LICENSE").read_text(encoding="utf-8")
    _, pdf_text = pdf_colophon_page(tag)
    for text in (html_colophon(tag).xpath("string()"), pdf_text):
        for name in LICENCE_NAMES.values():
            assert name in text and name.split()[0] in licence_file
    # What no licence covers: the original's text, in the edition's words (its catalog).
    unlicensed = next(
        line[2:]
        for line in (ROOT / "docs" / f"{COLOPHON}.md").read_text(encoding="utf-8").splitlines()
        if line.startswith(": 底本の記事の本文")
    )
    words = translations.translate(tag, COLOPHON, unlicensed)
    assert squash(words) in squash(html_colophon(tag).xpath("string()"))


def test_license_names_only_paths_that_exist() -> None:
    """LICENSE says which files each licence covers: every path it names is there."""
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    paths = re.findall(r"(?<![\w./])((?:src|docs|tests|locale)(?:/[\w.-]+)*/?)", text)
    assert len(paths) >= 5
    assert [p for p in paths if not (ROOT / p).exists()] == []


def test_the_colophon_stands_where_the_language_puts_it(tag: str) -> None:
    position = languages.get(tag).colophon_position
    # PDF: the last page of a book that ends with it; else page ii, the contents after it.
    reader = PdfReader(pdf_file(tag))
    index, _ = pdf_colophon_page(tag)
    if position == "back":
        assert index == len(reader.pages) - 1
    else:
        assert reader.page_labels[index] == "ii"
        contents = subprocess.run(
            ["pdftotext", "-f", str(index + 2), "-l", str(index + 2), str(pdf_file(tag)), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert reader.page_labels[index + 1] == "iii"
        assert heading(COLOPHON, tag) in contents  # the contents list it, after it
    # EPUB: the spine's last document, or the one after the title page.
    with zipfile.ZipFile(epub_file(tag)) as book:
        _, opf = epub_package(book)
        ids = {i.get("id"): i.get("href") for i in opf.iterfind(".//{*}manifest/{*}item")}
        spine = [ids[ref.get("idref")] for ref in opf.iterfind(".//{*}spine/{*}itemref")]
        nav = etree.fromstring(book.read("nav.xhtml"))
    assert spine.index(f"{COLOPHON}.xhtml") == (len(spine) - 1 if position == "back" else 1)
    # The EPUB's contents and the site's sidebar: the first entry after the title page, or the last.
    nav_docs = [
        href.removesuffix(".xhtml")
        for href in nav.xpath("//x:nav//x:li/x:a/@href", namespaces=XHTML)
        if "#" not in href and href != "index.xhtml"
    ]
    index_page = parse_html(html_root(tag) / "index.html")
    sidebar_docs = [
        href.removesuffix(".html")
        for href in index_page.xpath("//div[contains(@class, 'sidebar-tree')]//a/@href")
        if "#" not in href
    ]
    for docs in (nav_docs, sidebar_docs):
        assert docs.index(COLOPHON) == (len(docs) - 1 if position == "back" else 0), docs
