"""The pages of the site around the editions: the language chooser at the root and the
translation status. Written by scripts/build.py after the editions; not run on its own.

    build/site/index.html                 every edition with its title, HTML and downloads;
                                          a reader whose browser prefers a published
                                          language is taken to it (language-redirect.js)
    build/site/translation-status.html    per language: translated / fuzzy / untranslated
    build/site/translation-status.json    the same figures for tools
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import catalogs
import languages

STATIC = Path(__file__).resolve().parent / "site_static"
TITLE_FILE = "index"


def book_title(language: languages.Language) -> str:
    source = catalogs.DOCS / "index.md"
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return catalogs.translate(language.tag, TITLE_FILE, line[2:].strip())
    raise RuntimeError(f"{source}: no level-1 heading")


def page(lang: str, title: str, body: str, scripts: tuple[str, ...] = ()) -> str:
    script_tags = "".join(f'\n<script src="{s}" defer></script>' for s in scripts)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="site.css">{script_tags}
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def root_page(editions: list[languages.Language], book_slug: str) -> str:
    items = []
    for language in editions:
        tag, lang = language.tag, language.html_lang
        items.append(
            f"""<li lang="{lang}" data-lang="{lang}">
  <a class="edition" href="{tag}/index.html" hreflang="{lang}">
    <span class="language">{html.escape(language.native_name)}</span>
    <span class="title">{html.escape(book_title(language))}</span>
  </a>
  <span class="downloads"><a href="downloads/{book_slug}-{tag}.epub" download>EPUB</a>
  <a href="downloads/{book_slug}-{tag}.pdf" download>PDF</a></span>
</li>"""
        )
    source = editions[0]
    body = f"""<h1>{html.escape(book_title(source))}</h1>
<ul class="editions">
{chr(10).join(items)}
</ul>
<p class="status" lang="en"><a href="translation-status.html">Translation status</a></p>"""
    return page(source.html_lang, book_title(source), body, scripts=("language-redirect.js",))


def status_page(report: dict) -> str:
    rows = []
    for entry in report["languages"]:
        rows.append(
            f"""<tr>
  <th scope="row"><span lang="{entry["tag"].replace("_", "-")}">{html.escape(entry["native_name"])}</span> ({entry["tag"]})</th>
  <td>{entry["translated"]}</td><td>{entry["fuzzy"]}</td><td>{entry["untranslated"]}</td>
  <td>{entry["percent"]:.1f} %</td>
</tr>"""
        )
    details = []
    for entry in report["languages"]:
        lines = "".join(
            f"<tr><th scope=\"row\"><code>{html.escape(path)}</code></th><td>{c['translated']}</td>"
            f"<td>{c['fuzzy']}</td><td>{c['untranslated']}</td></tr>"
            for path, c in entry["catalogs"].items()
        )
        details.append(
            f"""<h2 id="{entry["tag"]}">{html.escape(entry["name"])} ({entry["tag"]})</h2>
<table>
<thead><tr><th scope="col">catalog</th><th scope="col">translated</th><th scope="col">fuzzy</th><th scope="col">untranslated</th></tr></thead>
<tbody>{lines}</tbody>
</table>"""
        )
    body = f"""<h1>Translation status</h1>
<p>Messages of the Japanese original, per language. Fuzzy and untranslated messages are not
published: readers see the Japanese original in their place. Counted as
<code>msgfmt --statistics</code> counts them; produced by <code>scripts/catalogs.py stats</code>.</p>
<table>
<thead><tr><th scope="col">language</th><th scope="col">translated</th><th scope="col">fuzzy</th><th scope="col">untranslated</th><th scope="col">complete</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
{chr(10).join(details)}
<p><a href="index.html">All editions</a></p>"""
    return page("en", "Translation status", body)


def write_atomically(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.new")
    staging.write_text(text, encoding="utf-8")
    staging.replace(path)


def write(site: Path, book_slug: str) -> None:
    editions = languages.published_languages()
    site.mkdir(parents=True, exist_ok=True)
    for asset in sorted(STATIC.iterdir()):
        shutil.copyfile(asset, site / asset.name)
    report = catalogs.status_report()
    write_atomically(site / "index.html", root_page(editions, book_slug))
    write_atomically(site / "translation-status.html", status_page(report))
    write_atomically(
        site / "translation-status.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    )
