"""The pages of the site around the editions: the language chooser at the root and the
translation status. Written by src/book/build.py after the editions; not run on its own.

    build/site/index.html                 every edition with its title, HTML and downloads;
                                          a reader whose browser prefers a published
                                          language is taken to it (language-redirect.js)
    build/site/translation-status.html    per language: translated / fuzzy / untranslated
    build/site/translation-status.json    the same figures for tools
    build/site/review/<tag>.html          each translation's review page (review.py): every
                                          message beside the Japanese, its state and the
                                          findings of the catalog checks; linked from the
                                          translation status page
    build/site/sitemap.xml                a sitemap index: each edition's sitemap.xml
                                          (sphinx-sitemap), which lists every page with
                                          its hreflang alternates
    build/site/robots.txt                 where the sitemap is
    build/site/404.html                   the source edition's 404 page, which static hosts
                                          serve for a missing address anywhere on the site

The two HTML pages are Jinja2 templates in src/book/templates/: site-page.html, the frame that
site-root.html (index.html) and site-status.html (translation-status.html) extend. They are
rendered in the review page's environment (review.environment), which autoescapes: what is
computed here (titles, download links, the status report) reaches them as plain values, and
Jinja escapes it.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from book import catalogs, editions, files, languages, layout, pages, review, site_url, translations

STATIC = layout.PACKAGE / "site_static"
TITLE_FILE = "index"


def book_title(language: languages.Language) -> str:
    title = pages.title(TITLE_FILE)
    if title is None:
        raise RuntimeError(f"{pages.source(TITLE_FILE)}: no level-1 heading")
    return translations.translate(language.tag, TITLE_FILE, title)


def render(template: str, **context: object) -> str:
    """A page of src/book/templates/, in the review page's environment (autoescaped)."""
    return review.environment().get_template(template).render(**context)


# How a download is named on the root page, by format and variant.
DOWNLOAD_LABELS = {
    ("epub", ""): "EPUB",
    ("epub", editions.VERTICAL): "EPUB (縦書き)",
    ("pdf", ""): "PDF",
}


def download_links(language: languages.Language) -> list[tuple[str, str]]:
    """Each download of a language: its address from the site's root, its label."""
    return [
        (e.published.relative_to(layout.SITE).as_posix(), DOWNLOAD_LABELS[e.fmt, e.variant])
        for e in editions.downloads(language)
    ]


def root_page(published: list[languages.Language]) -> str:
    titles = [book_title(language) for language in published]
    return render(
        "site-root.html",
        lang=published[0].html_lang,
        title=titles[0],
        description=" / ".join(titles),
        editions=[
            {"language": language, "title": title, "downloads": download_links(language)}
            for language, title in zip(published, titles, strict=True)
        ],
    )


def status_page(report: dict) -> str:
    return render(
        "site-status.html",
        lang="en",
        title="Translation status",
        description="Translated, fuzzy and untranslated messages of each edition of the book.",
        # The report's rows as translation-status.json has them, with the tag as HTML spells it.
        languages=[{**e, "lang": languages.get(e["tag"]).html_lang} for e in report["languages"]],
        review_folder=review.FOLDER,
    )


def sitemap_index(site: Path, editions: list[languages.Language]) -> str:
    base = html.escape(site_url.base_url())
    entries = "".join(
        f"\n  <sitemap><loc>{base}{language.tag}/sitemap.xml</loc></sitemap>"
        for language in editions
        if (site / language.tag / "sitemap.xml").exists()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}\n</sitemapindex>\n"
    )


def write(site: Path) -> None:
    published = languages.published_languages()
    site.mkdir(parents=True, exist_ok=True)
    for asset in sorted(STATIC.iterdir()):
        shutil.copyfile(asset, site / asset.name)
    report = catalogs.status_report()
    files.write_atomically(site / "index.html", root_page(published))
    files.write_atomically(site / "translation-status.html", status_page(report))
    files.write_atomically(
        site / "translation-status.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    )
    review.write(site)
    files.write_atomically(site / "sitemap.xml", sitemap_index(site, published))
    files.write_atomically(
        site / "robots.txt", f"User-agent: *\nAllow: /\nSitemap: {site_url.base_url()}sitemap.xml\n"
    )
    not_found = site / published[0].tag / "404.html"
    if not_found.exists():  # its links are absolute (sphinx-notfound-page): valid at the root
        files.write_atomically(site / "404.html", not_found.read_text(encoding="utf-8"))
