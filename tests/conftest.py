"""Shared fixtures: where the built book is, and the original it is checked against.

The tests read the published tree that `make book` writes (build/site/); `make test` builds
what is out of date first. A missing output fails the test that needs it, naming the command.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import posixpath
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree, html

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(Path(__file__).parent)]

import catalogs  # noqa: E402
import languages  # noqa: E402
import site_url  # noqa: E402
import source_text  # noqa: E402
import worktree  # noqa: E402

import build  # noqa: E402  (scripts/build.py: where the editions are published)

DOCS = ROOT / "docs"
SOURCE_LANGUAGE = languages.SOURCE_LANGUAGE
# Every published edition (discovered from locale/, as the build does), and the translations.
LANGUAGES = [language.tag for language in languages.published_languages()]
TRANSLATIONS = [tag for tag in LANGUAGES if tag != SOURCE_LANGUAGE]


def epub_file(tag: str) -> Path:
    return require(build.DOWNLOADS / f"{build.BOOK_SLUG}-{tag}.epub")


def pdf_file(tag: str) -> Path:
    return require(build.DOWNLOADS / f"{build.BOOK_SLUG}-{tag}.pdf")


def html_root(tag: str) -> Path:
    return require(build.SITE / tag)


def heading(docname: str, tag: str) -> str:
    """A page's title in one edition: the source heading, through that language's catalog."""
    return catalogs.translate(tag, docname, first_heading(docname))


def copy_project(target: Path) -> Path:
    """A copy of the working tree: the files git tracks or would track, without build/."""
    return worktree.copy_working_tree(target)


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below a folder, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def require(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make book` first")
    return path


@pytest.fixture(scope="session")
def article() -> source_text.Article:
    return source_text.read_article()


@pytest.fixture(scope="session")
def site() -> Path:
    return require(build.SITE)


@pytest.fixture(scope="session")
def html_dir() -> Path:
    return require(build.SITE / SOURCE_LANGUAGE)


@pytest.fixture(scope="session")
def epub_path() -> Path:
    return require(build.DOWNLOADS / f"{build.BOOK_SLUG}-{SOURCE_LANGUAGE}.epub")


@pytest.fixture(scope="session")
def pdf_path() -> Path:
    return require(build.DOWNLOADS / f"{build.BOOK_SLUG}-{SOURCE_LANGUAGE}.pdf")


def content_pages() -> list[str]:
    """The book's pages, from its source: docs/**/*.md as Sphinx docnames."""
    return sorted(
        str(p.relative_to(DOCS).with_suffix(""))
        for p in DOCS.rglob("*.md")
        if not any(part.startswith(("_", ".")) for part in p.relative_to(DOCS).parts)
    )


def reader_pages(site: Path) -> list[str]:
    """Every page a reader can open, from the build: each *.html of the published site, as a
    path relative to it (each edition's pages, search and 404 page; the root index, 404 and
    translation status pages; each translation's review page). The tests that walk the site
    walk this list; it fails where a page that must be published is missing."""
    pages = sorted(page.relative_to(site).as_posix() for page in site.rglob("*.html"))
    expected = ["index.html", "404.html", "translation-status.html"]
    expected += [f"review/{tag}.html" for tag in TRANSLATIONS]
    for tag in LANGUAGES:
        expected += [f"{tag}/{doc}.html" for doc in content_pages()]
        expected += [f"{tag}/search.html", f"{tag}/404.html"]
    missing = sorted(set(expected) - set(pages))
    assert missing == [], f"not published in {site}: {missing}"
    return pages


def first_heading(docname: str) -> str:
    for line in (DOCS / f"{docname}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"docs/{docname}.md has no level-1 heading")


def published_file(url: str) -> Path | None:
    """The file of build/site/ that an absolute URL of the site (scripts/site_url.py) names;
    None for an address elsewhere."""
    base = site_url.base_url()
    if not url.startswith(base):
        return None
    return build.SITE / url[len(base) :].split("#")[0]


def parse_html(path: Path) -> html.HtmlElement:
    """A built page, without the permalink signs that the theme shows beside headings."""
    page = html.fromstring(path.read_bytes())
    for link in page.xpath('//a[contains(@class, "headerlink")]'):
        link.drop_tree()
    return page


def main_text(page: html.HtmlElement) -> str:
    """The text a reader sees in the page's article, without the theme's navigation."""
    (article,) = page.xpath('//article[@role="main"]')
    article = html.fromstring(html.tostring(article))  # a copy: the page stays whole
    for hidden in article.xpath('//*[contains(@class, "print-url")]'):
        hidden.drop_tree()  # shown on paper only (book.css @media print)
    return article.text_content()


@pytest.fixture(scope="session")
def html_pages(html_dir: Path) -> dict[str, html.HtmlElement]:
    return html_pages_of(html_dir)


def html_pages_of(html_dir: Path) -> dict[str, html.HtmlElement]:
    return {doc: parse_html(require(html_dir / f"{doc}.html")) for doc in content_pages()}


@pytest.fixture(scope="session")
def html_text(html_pages: dict[str, html.HtmlElement]) -> str:
    return "\n".join(main_text(page) for page in html_pages.values())


OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def epub_package(book: zipfile.ZipFile) -> tuple[str, etree._Element]:
    """The package document (content.opf) that META-INF/container.xml points to."""
    container = etree.fromstring(book.read("META-INF/container.xml"))
    (rootfile,) = container.xpath("//*[local-name()='rootfile']/@full-path")
    return rootfile, etree.fromstring(book.read(rootfile))


@pytest.fixture(scope="session")
def epub_text(epub_path: Path) -> str:
    return epub_text_of(epub_path)


def epub_text_of(epub_path: Path) -> str:
    """The text of every XHTML document of the EPUB, in spine order."""
    with zipfile.ZipFile(epub_path) as book:
        opf_path, opf = epub_package(book)
        hrefs = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:item", OPF)}
        texts = []
        for ref in opf.iterfind(".//opf:spine/opf:itemref", OPF):
            document = etree.fromstring(
                book.read(posixpath.join(posixpath.dirname(opf_path), hrefs[ref.get("idref")]))
            )
            body = document.find("{http://www.w3.org/1999/xhtml}body")
            texts.append("".join(body.itertext()))
    return "\n".join(texts)


def pdf_body_text(pdf: Path, top_mm: float, bottom_mm: float) -> str:
    """pdftotext of each page's text block, leaving out the running head and foot."""
    from pypdf import PdfReader

    mm = 72 / 25.4
    pages = []
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        y, h = top_mm * mm, height - (top_mm + bottom_mm) * mm
        out = subprocess.run(
            [
                "pdftotext",
                "-q",
                "-enc",
                "UTF-8",
                "-r",
                "72",
                "-f",
                str(number),
                "-l",
                str(number),
                "-x",
                "0",
                "-y",
                str(int(y)),
                "-W",
                str(int(width)),
                "-H",
                str(int(h)),
                str(pdf),
                "-",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        pages.append(out)
    return "\n".join(pages)


@pytest.fixture(scope="session")
def pdf_text(pdf_path: Path) -> str:
    # The book's text block lies within 20 mm of the top and bottom edges (conf.py vmargin);
    # the running head and foot lie in those margins.
    return pdf_body_text(pdf_path, top_mm=19, bottom_mm=16)


@pytest.fixture(scope="session")
def served_site(site: Path) -> Iterator[str]:
    """The published site over HTTP on the loopback interface, as a reader's browser gets it."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class QuietServer(http.server.ThreadingHTTPServer):
    """A local server for the browser tests: a browser that drops a connection (a page closed
    while it still fetched) is no error of the site, so no traceback in the test output."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is missing: `make test` installs it (Debian package chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    """Debian's Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


def browser_dom(chromium: str, url: str) -> str:
    """The DOM of a page after its scripts ran, from headless Chromium."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
