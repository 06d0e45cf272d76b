"""Every EPUB passes the W3C epubcheck cleanly and carries complete metadata in its language."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import LANGUAGES, OPF, ROOT, epub_file, epub_package, heading, languages
from lxml import etree

EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")


@pytest.fixture(scope="session")
def epubcheck_report(tag: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not EPUBCHECK_JAR.exists():
        pytest.fail(f"{EPUBCHECK_JAR} is missing: `make test` installs it (Debian epubcheck)")
    report = tmp_path_factory.mktemp(f"epubcheck-{tag}") / "report.json"
    subprocess.run(
        ["java", "-jar", str(EPUBCHECK_JAR), str(epub_file(tag)), "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.slow  # epubcheck: about 15 s an EPUB
def test_epubcheck_reports_no_errors_and_no_warnings(epubcheck_report: dict) -> None:
    checker = epubcheck_report["checker"]
    messages = [f"{m['severity']} {m['ID']}: {m['message']}" for m in epubcheck_report["messages"]]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), messages


@pytest.mark.slow  # epubcheck
def test_epubcheck_read_an_epub3(epubcheck_report: dict) -> None:
    assert epubcheck_report["publication"]["ePubVersion"].startswith("3")


def dc(metadata, name: str) -> list[str]:
    return [(node.text or "").strip() for node in metadata.iterfind(f"dc:{name}", OPF)]


def test_metadata_is_complete(tag: str) -> None:
    with zipfile.ZipFile(epub_file(tag)) as book:
        _, opf = epub_package(book)
    metadata = opf.find("opf:metadata", OPF)
    row = languages.get(tag)
    assert dc(metadata, "title") == [heading("index", tag)]
    assert dc(metadata, "language") == [row.html_lang]
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == row.html_lang
    assert dc(metadata, "creator") == [row.author]
    assert dc(metadata, "publisher") == [row.author]
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", dc(metadata, "identifier")[0])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", dc(metadata, "date")[0])
    (rights,) = dc(metadata, "rights")
    assert row.author in rights
    (description,) = dc(metadata, "description")
    assert description and description != "unknown"


def test_editions_have_distinct_identifiers() -> None:
    identifiers = set()
    for tag in LANGUAGES:
        with zipfile.ZipFile(epub_file(tag)) as book:
            _, opf = epub_package(book)
        identifiers.add(dc(opf.find("opf:metadata", OPF), "identifier")[0])
    assert len(identifiers) == len(LANGUAGES)


def test_mimetype_is_first_and_stored(tag: str) -> None:
    with zipfile.ZipFile(epub_file(tag)) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"


def test_every_document_declares_the_language(tag: str) -> None:
    row = languages.get(tag)
    with zipfile.ZipFile(epub_file(tag)) as book:
        documents = [n for n in book.namelist() if n.endswith(".xhtml")]
        assert documents
        for name in documents:
            root = etree.fromstring(book.read(name))
            assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == row.html_lang, name
            assert root.get("lang") == row.html_lang, name


ACE = ROOT / "node_modules" / ".bin" / "ace-puppeteer"


def test_the_contents_are_titled_in_the_books_language(tag: str) -> None:
    """The navigation document's title and heading and the guide's entry say "Table of
    Contents" as Sphinx's own catalog of the language says it (目次, 目录), not in English."""
    import polib
    import sphinx

    catalog = Path(sphinx.__file__).parent / "locale" / tag / "LC_MESSAGES" / "sphinx.po"
    entry = polib.pofile(str(catalog)).find("Table of Contents") if catalog.exists() else None
    expected = entry.msgstr if entry and entry.msgstr else "Table of Contents"
    with zipfile.ZipFile(epub_file(tag)) as book:
        nav = etree.fromstring(book.read("nav.xhtml"))
        _, opf = epub_package(book)
    xhtml = {"x": "http://www.w3.org/1999/xhtml"}
    assert nav.findtext("x:head/x:title", namespaces=xhtml) == expected
    assert [h.text for h in nav.iterfind(".//x:h1", namespaces=xhtml)] == [expected]
    assert [r.get("title") for r in opf.iterfind(".//{*}guide/{*}reference")] == [expected]
    if tag != "en":
        assert expected != "Table of Contents"


@pytest.fixture(scope="session")
def ace_report(tag: str, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Ace by DAISY's report on one EPUB, run in Debian's Chromium through Puppeteer."""
    if not ACE.exists():
        pytest.fail(f"{ACE} is missing: `make test` installs it (npm ci)")
    out = tmp_path_factory.mktemp(f"ace-{tag}")
    result = subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(out), str(epub_file(tag))],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium},
    )
    report = out / "report.json"
    assert report.exists(), result.stdout + result.stderr
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.slow  # Ace by DAISY in Chromium: about 10 s an EPUB
def test_ace_by_daisy_reports_no_violations(ace_report: dict) -> None:
    violations = [
        f"{doc['earl:testSubject']['url']}: {a['earl:test']['dct:title']} "
        f"({a['earl:test']['earl:impact']})"
        for doc in ace_report["assertions"]
        for a in doc.get("assertions", [])
    ]
    assert violations == []
    assert ace_report["earl:result"]["earl:outcome"] == "pass"


@pytest.mark.slow  # Ace by DAISY
def test_accessibility_metadata_describes_the_book(ace_report: dict, tag: str) -> None:
    metadata = ace_report["earl:testSubject"]["metadata"]
    assert metadata["schema:accessMode"] == "textual"
    assert set(metadata["schema:accessibilityFeature"]) >= {
        "tableOfContents",
        "structuralNavigation",
    }
    assert metadata["schema:accessibilityHazard"] == "none"
    assert metadata["schema:accessibilitySummary"] == languages.get(tag).accessibility_summary
    # True for this book: no images, audio or video (Ace lists what it found).
    assert not ace_report.get("data", {}).get("images")
