"""Shared fixtures: where the built book is, and the original it is checked against.

The tests read the published tree that `make book` writes (build/site/); `make test` builds
what is out of date first. A missing output fails the test that needs it, naming the command.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import os
import posixpath
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import source_text
from lxml import etree, html

from book import editions, languages, layout, pages, site_url, translations, worktree

ROOT = layout.ROOT
DOCS = layout.DOCS
SOURCE_LANGUAGE = languages.SOURCE_LANGUAGE
# Every published edition (discovered from locale/, as the build does), and the translations.
LANGUAGES = [language.tag for language in languages.published_languages()]
TRANSLATIONS = [tag for tag in LANGUAGES if tag != SOURCE_LANGUAGE]


# Every file a reader downloads (src/book/editions.py), and the EPUBs among them.
DOWNLOADS = [e for lang in languages.published_languages() for e in editions.downloads(lang)]
EPUBS = [edition for edition in DOWNLOADS if edition.fmt == "epub"]


def download(key: str, fmt: str) -> Path:
    """A published download by its edition's key (ja, en, ja-vertical) and format."""
    (edition,) = [e for e in DOWNLOADS if e.key == key and e.fmt == fmt]
    return require(edition.published)


def epub_file(key: str) -> Path:
    return download(key, "epub")


def pdf_file(tag: str) -> Path:
    return download(tag, "pdf")


def html_root(tag: str) -> Path:
    return require(layout.SITE / tag)


def heading(docname: str, tag: str) -> str:
    """A page's title in one edition: the source heading, through that language's catalog."""
    return translations.translate(tag, docname, first_heading(docname))


def edition_order(tag: str) -> list[str]:
    """An edition's pages in reading order: the root page, then its toctree, the colophon
    where the language puts it (languages.toml, colophon_position)."""
    return pages.reading_order(languages.get(tag).colophon_position)


def navigation_title(docname: str, tag: str) -> str:
    """A page's title as the navigation and the page's heading show it: a chapter's after
    its label (第1章, 第一章, Chapter 1: languages.toml chapter_label), numbered in the
    source's order of docs/chapters/."""
    chapters = [doc for doc in pages.reading_order() if doc.startswith("chapters/")]
    title = heading(docname, tag)
    if docname in chapters:
        return languages.get(tag).chapter_name(chapters.index(docname) + 1) + title
    return title


def copy_project(target: Path) -> Path:
    """A copy of the working tree: the files git tracks or would track, without build/."""
    return worktree.copy_working_tree(target)


# The tagged PDFs (README, "Accessible PDFs"): the editions whose row of languages.toml has
# tagged_pdf on. Their tests (test_tagged_pdf.py, test_pdf_ua.py,
# test_pdf_links.py) read the published PDFs; what
# the tagging must not change is compared with the PDFs of a copy of the project with it off.
TAGGED = [tag for tag in LANGUAGES if languages.get(tag).tagged_pdf]


@pytest.fixture(scope="session")
def tagged() -> Path:
    """The project whose PDFs are tagged: this one (see tagged_pdf)."""
    return ROOT


@pytest.fixture(scope="session")
def untagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with tagged_pdf off in every language, its PDFs built."""
    copy = copy_project(tmp_path_factory.mktemp("untagged") / "project")
    table = copy / "languages.toml"
    text = table.read_text(encoding="utf-8")
    assert "tagged_pdf = true" in text
    table.write_text(text.replace("tagged_pdf = true", "tagged_pdf = false"), encoding="utf-8")
    # The copy has no git history: without this project's date it would print today's.
    epoch = worktree.source_date_epoch()
    env = worktree.environment(copy, {**os.environ, "SOURCE_DATE_EPOCH": epoch})
    args = [arg for tag in TAGGED for arg in ("--lang", tag)]
    result = subprocess.run(
        worktree.command("build", "pdf", *args),
        cwd=copy,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    return copy


def tagged_pdf(project: Path, tag: str) -> Path:
    """An edition's PDF in a project: this one (`tagged`) or a copy (`untagged`)."""
    return require(project / pdf_file(tag).relative_to(ROOT))


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


@pytest.fixture(scope="session", params=LANGUAGES)
def tag(request: pytest.FixtureRequest) -> str:
    """Each published edition's language tag in turn (the test runs once per language)."""
    return request.param


@pytest.fixture(scope="session")
def article() -> source_text.Article:
    return source_text.read_article()


@pytest.fixture(scope="session")
def site() -> Path:
    return require(layout.SITE)


@pytest.fixture(scope="session")
def html_dir() -> Path:
    return require(layout.SITE / SOURCE_LANGUAGE)


@pytest.fixture(scope="session")
def epub_path() -> Path:
    return epub_file(SOURCE_LANGUAGE)


@pytest.fixture(scope="session")
def pdf_path() -> Path:
    return pdf_file(SOURCE_LANGUAGE)


def content_pages() -> list[str]:
    """The book's pages, from its source: docs/**/*.md as Sphinx docnames."""
    return pages.docnames()


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


def without_chapter_number(bookmark: str) -> str:
    """A PDF bookmark's title without the chapter number it starts with (第1章, 第一章, 1)."""
    return re.sub(r"^(第.{1,3}章|\d+)\s+", "", bookmark)


def first_heading(docname: str) -> str:
    title = pages.title(docname)
    assert title is not None, f"docs/{docname}.md has no level-1 heading"
    return title


def published_file(url: str) -> Path | None:
    """The file of build/site/ that an absolute URL of the site (src/book/site_url.py) names;
    None for an address elsewhere."""
    base = site_url.base_url()
    if not url.startswith(base):
        return None
    return layout.SITE / url[len(base) :].split("#")[0]


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


@contextlib.contextmanager
def serve(folder: Path, handler: type[QuietHandler] | None = None) -> Iterator[str]:
    """The tests' one web server: a folder over HTTP on the loopback interface, as a host
    serves it; yields its origin (http://127.0.0.1:<port>). A test that needs a host's
    behaviour (its headers, its 404 page) passes a subclass of QuietHandler."""
    server = QuietServer(
        ("127.0.0.1", 0), functools.partial(handler or QuietHandler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served_site(site: Path) -> Iterator[str]:
    """The published site, as a reader's browser gets it."""
    with serve(site) as origin:
        yield origin


class QuietServer(http.server.ThreadingHTTPServer):
    """A local server for the browser tests: a browser that drops a connection (a page closed
    while it still fetched) is no error of the site, so no traceback in the test output."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder, without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


HEADERS_FILE = layout.PACKAGE / "site_static" / "_headers"  # the host's headers of the site


def policy() -> dict[str, str]:
    """The headers that _headers gives every path ("/*")."""
    headers = {}
    for line in HEADERS_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("  ") and ":" in line:
            name, value = line.strip().split(":", 1)
            headers[name] = value.strip()
    assert "Content-Security-Policy" in headers
    return headers


class PolicyHandler(QuietHandler):
    """A folder with the headers a host gives the site (_headers): its Content-Security-Policy."""

    def end_headers(self) -> None:
        for name, value in policy().items():
            self.send_header(name, value)
        super().end_headers()


class SiteHost(PolicyHandler):
    """The published site as its host serves it: under the base URL's path (the 404 page's
    links are absolute paths under it, so served anywhere else it has no style sheet), with
    the headers of _headers, and the site's 404.html for a missing address."""

    def translate_path(self, path: str) -> str:
        prefix = site_url.base_path()
        if not path.startswith(prefix):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path("/" + path[len(prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


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


def search_results(browser, origin: str, tag: str, query: str) -> tuple[list[str], list[str]]:
    """Sphinx's search page of an edition, in the browser: the result pages in the order
    shown (docnames), and the words the page's splitQuery made of the query."""
    page = browser.new_page()
    try:
        page.goto(f"{origin}/{tag}/search.html?q={quote(query)}")
        page.wait_for_function(
            "() => typeof Search !== 'undefined' && Search.status && Search.status.innerText"
        )
        hrefs = page.eval_on_selector_all(
            "ul.search li > a", "links => links.map(a => a.getAttribute('href'))"
        )
        words = page.evaluate("q => splitQuery(q)", query)
    finally:
        page.close()
    return [re.sub(r"\.html.*$", "", href) for href in hrefs], words
