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


def page(lang: str, title: str, description: str, body: str, scripts: tuple[str, ...] = ()) -> str:
    script_tags = "".join(f'\n<script src="{s}" defer></script>' for s in scripts)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<meta name="description" content="{html.escape(description)}">
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="site.css">{script_tags}
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


# How a download is named on the root page, by format and variant.
DOWNLOAD_LABELS = {
    ("epub", ""): "EPUB",
    ("epub", editions.VERTICAL): "EPUB (縦書き)",
    ("pdf", ""): "PDF",
}


def download_links(language: languages.Language) -> str:
    site = layout.SITE
    return "\n  ".join(
        f'<a href="{e.published.relative_to(site).as_posix()}" download>'
        f"{DOWNLOAD_LABELS[e.fmt, e.variant]}</a>"
        for e in editions.downloads(language)
    )


def root_page(published: list[languages.Language]) -> str:
    items = []
    for language in published:
        tag, lang = language.tag, language.html_lang
        items.append(
            f"""<li lang="{lang}" data-lang="{lang}">
  <a class="edition" href="{tag}/index.html" hreflang="{lang}">
    <span class="language">{html.escape(language.native_name)}</span>
    <span class="title">{html.escape(book_title(language))}</span>
  </a>
  <span class="downloads">{download_links(language)}</span>
</li>"""
        )
    source = published[0]
    body = f"""<h1>{html.escape(book_title(source))}</h1>
<ul class="editions">
{chr(10).join(items)}
</ul>
<p class="status" lang="en"><a href="translation-status.html">Translation status</a></p>"""
    description = " / ".join(book_title(language) for language in published)
    return page(
        source.html_lang, book_title(source), description, body, scripts=("language-redirect.js",)
    )


def table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """An HTML table; the first cell of each row is its header. Cells are HTML already."""
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    body = "\n".join(
        f'<tr><th scope="row">{first}</th>' + "".join(f"<td>{c}</td>" for c in rest) + "</tr>"
        for first, *rest in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def counts(entry: dict) -> tuple[str, str, str]:
    return str(entry["translated"]), str(entry["fuzzy"]), str(entry["untranslated"])


def exception_list(language: dict) -> str:
    """The messages whose translators explained a deliberate difference of facts."""
    tag = language["tag"]
    if not language["exceptions"]:
        return "<p>No message differs from the original in a fact.</p>"
    items = "\n".join(
        f"<li><code>{html.escape(item['file'])}:{item['line']}</code>: "
        f'<span lang="ja">{html.escape(item["msgid"][:60])}</span>: '
        f"{html.escape(item['reason'])}</li>"
        for item in language["exceptions"]
    )
    return (
        f'<h3 id="{tag}-exceptions">Exceptions to the facts check</h3>\n'
        "<p>Messages whose translation deliberately differs from the original in a fact "
        "(a date, a number, a quotation, a name), with the translator's reason (a "
        "<code># facts:</code> comment in the catalog).</p>\n"
        f"<ul>\n{items}\n</ul>"
    )


def status_page(report: dict) -> str:
    columns = ("translated", "fuzzy", "untranslated")
    summary = [
        (
            f'<span lang="{e["tag"].replace("_", "-")}">{html.escape(e["native_name"])}</span>'
            f" ({e['tag']})",
            *counts(e),
            f"{e['percent']:.1f} %",
        )
        for e in report["languages"]
    ]
    details = [
        f'<h2 id="{e["tag"]}">{html.escape(e["name"])} ({e["tag"]})</h2>\n'
        f'<p><a href="{review.FOLDER}/{e["tag"]}.html">Review page: {html.escape(e["name"])} '
        f"({e['tag']})</a>: every message beside the Japanese, in reading order, with its state "
        "and the findings of the catalog checks.</p>\n"
        + table(
            ("catalog", *columns),
            [
                (f"<code>{html.escape(path)}</code>", *counts(c))
                for path, c in e["catalogs"].items()
            ],
        )
        + "\n"
        + exception_list(e)
        for e in report["languages"]
    ]
    body = f"""<h1>Translation status</h1>
<p>Messages of the Japanese original, per language. Fuzzy and untranslated messages are not
published: readers see the Japanese original in their place. Counted as
<code>msgfmt --statistics</code> counts them, by <code>src/book/catalogs.py stats</code>.</p>
{table(("language", *columns, "complete"), summary)}
{chr(10).join(details)}
<p><a href="index.html">All editions</a></p>"""
    description = "Translated, fuzzy and untranslated messages of each edition of the book."
    return page("en", "Translation status", description, body)


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
