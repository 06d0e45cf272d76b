"""The site ready to host: page metadata for sharing (OpenGraph, social card), the sitemap
with hreflang alternates, a 404 page that works at any depth, the canonical address from one
setting, the print stylesheet, `make dist`, Read the Docs' configuration and CITATION.cff.
Checked against the source (front matter, catalogs, languages.toml, pyproject.toml) and outside
authorities (Chromium, the CFF schema through cffconvert)."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import (
    DOCS,
    LANGUAGES,
    ROOT,
    SiteHost,
    content_pages,
    copy_project,
    first_heading,
    html_root,
    languages,
    parse_html,
    published_file,
    serve,
    site_url,
)
from lxml import etree

from book import project, translations, worktree

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
BASE = site_url.base_url()


def front_matter_description(doc: str) -> str:
    text = (DOCS / f"{doc}.md").read_text(encoding="utf-8")
    return re.search(r'^    description: "(.*)"$', text, re.M).group(1)


# -- Sharing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", content_pages())
def test_every_page_has_opengraph_in_its_language(tag: str, doc: str) -> None:
    page = parse_html(html_root(tag) / f"{doc}.html")
    og = {m.get("property"): m.get("content") for m in page.xpath("//meta[@property]")}
    url = f"{BASE}{tag}/{doc}.html"
    description = translations.translate(tag, doc, front_matter_description(doc))
    assert og["og:url"] == url
    assert page.xpath('//link[@rel="canonical"]/@href') == [url]
    assert og["og:description"] == description
    assert page.xpath('//meta[@name="description"]/@content') == [description]
    curls = str.maketrans("’", "'")  # smartquotes curl the page's heading, not the book's
    title = page.findtext(".//title").translate(curls)
    assert og["og:title"] and og["og:title"].translate(curls) in title
    row = languages.get(tag)
    assert re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", og["og:locale"]), og["og:locale"]
    assert og["og:locale"].split("_")[0] == tag.split("_")[0]
    assert og["og:locale"] == (row.og_locale or og["og:locale"])  # the row's, where it says
    assert og["og:image"] == f"{BASE}{tag}/_static/social-card.png"
    assert published_file(og["og:image"]).is_file()


def test_social_card_is_a_picture_of_the_title(tag: str) -> None:
    """1200 × 630 (what sharing sites show), not blank: ink where the title is drawn."""
    from PIL import Image

    card = Image.open(html_root(tag) / "_static" / "social-card.png")
    assert card.format == "PNG" and card.size == (1200, 630)
    title_area = card.convert("L").crop((90, 80, 1110, 330))
    dark = sum(title_area.histogram()[:100])
    assert dark > 5000, "no title drawn"


# -- Sitemap -----------------------------------------------------------------------------------


def test_sitemap_lists_every_page_with_its_alternates(tag: str) -> None:
    sitemap = etree.parse(str(html_root(tag) / "sitemap.xml"))
    urls = sitemap.findall("s:url", SITEMAP)
    locations = [u.findtext("s:loc", namespaces=SITEMAP) for u in urls]
    assert sorted(locations) == sorted(f"{BASE}{tag}/{doc}.html" for doc in content_pages())
    expected_langs = sorted(languages.get(t).html_lang for t in LANGUAGES)
    for url in urls:
        loc = url.findtext("s:loc", namespaces=SITEMAP)
        alternates = {
            link.get("hreflang"): link.get("href")
            for link in url.findall("x:link[@rel='alternate']", SITEMAP)
        }
        assert sorted(alternates) == expected_langs, loc
        page = loc.removeprefix(f"{BASE}{tag}/")
        for other in LANGUAGES:
            href = alternates[languages.get(other).html_lang]
            assert href == f"{BASE}{other}/{page}"
            assert published_file(href).is_file(), href


def test_root_sitemap_indexes_every_edition(site: Path) -> None:
    index = etree.parse(str(site / "sitemap.xml"))
    listed = [e.text for e in index.findall("s:sitemap/s:loc", SITEMAP)]
    assert listed == [f"{BASE}{t}/sitemap.xml" for t in LANGUAGES]
    assert all(published_file(url).is_file() for url in listed)
    assert f"Sitemap: {BASE}sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")


# -- 404 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def static_host(site: Path) -> Iterator[str]:
    with serve(site, SiteHost) as origin:
        yield origin + site_url.base_path()


@pytest.mark.parametrize("depth", ["nothing-here", "a/b/c/d/nothing.html", "ja/chapters/x/y/"])
def test_404_page_works_at_any_depth(browser, static_host: str, depth: str) -> None:
    """A missing address anywhere gets the 404 page with its styles, scripts and a working way
    back to the book: every request it makes succeeds."""
    page = browser.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on(
        "response", lambda r: failed.append(r.url) if r.status >= 400 and r.url != url else None
    )
    try:
        url = static_host + depth
        response = page.goto(url)
        assert response.status == 404
        page.wait_for_load_state("networkidle")
        heading = page.locator("h1").first.inner_text()
        themed = page.evaluate(
            "() => getComputedStyle(document.body).getPropertyValue('--color-brand-primary')"
        )
        back = page.locator("#page-not-found a").first
        back.click()
        page.wait_for_load_state()
        assert page.url.endswith("/ja/index.html"), page.url
    finally:
        page.close()
    assert failed == []
    assert heading == theme_label(languages.SOURCE_LANGUAGE, "Page not found")
    assert themed.strip(), "the theme's stylesheet did not load"


def theme_label(tag: str, msgid: str) -> str:
    import polib

    catalog = polib.pofile(str(ROOT / "locale" / tag / "LC_MESSAGES" / "sphinx.po"))
    return catalog.find(msgid).msgstr


def test_every_edition_has_its_404_page_in_its_language(tag: str) -> None:
    page = parse_html(html_root(tag) / "404.html")
    assert page.get("lang") == languages.get(tag).html_lang
    assert page.xpath("//h1/text()") == [theme_label(tag, "Page not found")]
    prefix = urlsplit(BASE).path + f"{tag}/"
    links = page.xpath("//link[@rel='stylesheet']/@href | //script/@src")
    assert links and all(href.startswith(prefix) for href in links), links


# -- Canonical address: one setting ------------------------------------------------------------


def test_one_setting_moves_every_address(tmp_path: Path) -> None:
    """BOOK_BASE_URL alone changes the canonical URL, OpenGraph, hreflang, sitemap and the
    404 page's links of a build."""
    from test_i18n_build import sphinx_html

    project = copy_project(tmp_path / "project")
    out = project / "out"
    result = sphinx_html(project, "en", BOOK_BASE_URL="https://books.example.org/xi/")
    assert result.returncode == 0, result.stderr[-2000:]
    page = parse_html(out / "chapters" / "china-position.html")
    moved = "https://books.example.org/xi/en/chapters/china-position.html"
    assert page.xpath('//link[@rel="canonical"]/@href') == [moved]
    assert page.xpath('//meta[@property="og:url"]/@content') == [moved]
    assert page.xpath('//link[@hreflang="ja"]/@href') == [moved.replace("/en/", "/ja/")]
    assert f"<loc>{moved}</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    not_found = parse_html(out / "404.html")
    assert all(h.startswith("/xi/en/") for h in not_found.xpath("//link[@rel='stylesheet']/@href"))


# -- Print -------------------------------------------------------------------------------------


def test_printed_page_has_no_navigation_and_shows_citation_urls(
    browser, served_site: str, tag: str, article
) -> None:
    """Chromium's print of a chapter: no sidebar, header or footer navigation; the address of
    the source the chapter cites is on paper."""
    from pypdf import PdfReader

    page = browser.new_page()
    try:
        page.goto(f"{served_site}/{tag}/chapters/china-position.html")
        page.emulate_media(media="print")
        hidden = page.evaluate(
            """() => ['.sidebar-drawer', '.toc-drawer', '.mobile-header', '.related-pages',
                     '.book-editions'].map(s => [s, [...document.querySelectorAll(s)]
                     .every(e => e.getClientRects().length === 0)])"""
        )
        pdf = page.pdf(format="A4")
    finally:
        page.close()
    assert all(gone for _, gone in hidden), hidden
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    bbc = next(u for u in article.urls if "bbc" in u)
    assert bbc in text
    switcher = [languages.get(t).native_name for t in LANGUAGES if t != tag]
    assert not any(name.replace(" ", "") in text for name in switcher), "navigation printed"


# -- make dist ---------------------------------------------------------------------------------


def dist(site: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        worktree.command("dist", "--site", str(site), "--out", str(out)),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dist_archive_is_the_whole_site_reproducibly(site: Path, tmp_path: Path) -> None:
    first, second = dist(site, tmp_path / "a"), dist(site, tmp_path / "b")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    (archive,) = (tmp_path / "a").glob("*.tar.gz")
    assert archive.read_bytes() == (tmp_path / "b" / archive.name).read_bytes()
    files = {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in site.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    with tarfile.open(archive) as tar:
        top = archive.name.removesuffix(".tar.gz")
        packed = {
            m.name.removeprefix(f"{top}/"): hashlib.sha256(tar.extractfile(m).read()).hexdigest()
            for m in tar.getmembers()
            if m.isfile()
        }
        sums = tar.extractfile(f"{top}/downloads/SHA256SUMS").read().decode()
    assert packed == files
    for line in sums.splitlines():
        digest, name = line.split("  ")
        assert packed[f"downloads/{name}"] == digest, name
    for tag in LANGUAGES:
        assert {f"{tag}/index.html", f"downloads/xi-russia-2023-{tag}.pdf"} <= set(packed)


def test_dist_refuses_an_incomplete_site(site: Path, tmp_path: Path) -> None:
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    missing = broken / "downloads" / f"xi-russia-2023-{LANGUAGES[-1]}.pdf"
    missing.unlink()
    result = dist(broken, tmp_path / "out")
    assert result.returncode == 1
    assert str(missing) in result.stderr
    assert not list((tmp_path / "out").glob("*.tar.gz"))


# -- Read the Docs, citation, licence ----------------------------------------------------------


def test_read_the_docs_builds_the_whole_site_as_make_book_does() -> None:
    from ruamel.yaml import YAML

    from book import setup_env

    config = YAML(typ="safe").load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    assert sorted(config["build"]["apt_packages"]) == setup_env.required_packages("build")
    commands = config["build"]["commands"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert commands[0] == "make book" and "make book" in readme
    assert any("build/site/." in c and "$READTHEDOCS_OUTPUT/html" in c for c in commands)


def test_citation_file_is_valid_and_names_this_book(article) -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("cffconvert")),
            "--validate",
            "-i",
            str(ROOT / "CITATION.cff"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    from ruamel.yaml import YAML

    cff = YAML(typ="safe").load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    title = first_heading("index")
    assert cff["title"] == cff["preferred-citation"]["title"] == title
    assert cff["version"] == project.version()
    assert cff["url"] == project.setting("base-url")
    assert sorted(r["url"] for r in cff["references"] if "url" in r) == sorted(article.urls)


def test_about_page_names_the_basis_and_the_sources_and_points_to_the_licences(tag: str) -> None:
    page = parse_html(html_root(tag) / "about.html")
    targets = {href.split("#")[-1] for href in page.xpath("//article//a/@href")}
    assert {"source-bbc", "source-ide"} <= targets
    assert any(h.split("#")[0] == "glossary.html" for h in page.xpath("//article//a/@href"))
    # The licences themselves are the colophon's (tests/test_colophon.py).
    assert any(h.split("#")[0] == "colophon.html" for h in page.xpath("//article//a/@href"))
