"""The review edition (src/book/review.py, `make review`): each translation's page checked
against what it shows — the catalogs (read here with polib), the catalog checks
(catalogs.check_catalog) and the book's toctree (docs/index.md) — and against outside
authorities: the W3C Nu HTML Checker, axe-core and Chromium, from the file system and over
HTTP. The site-wide checks of test_site_quality.py (vnu, axe in every mode, requests, the
Content-Security-Policy, links and anchors) visit the published review pages as well.

A mutated copy of a catalog (in a temporary folder) shows each state: a fuzzy entry with the
Japanese it was translated from, an emptied one, an exception (`# facts: <reason>`), and one
with a smuggled `<script>`, which must reach the page as text only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import polib
import pytest
from conftest import (
    ROOT,
    TRANSLATIONS,
    languages,
    require,
    serve,
)
from lxml import html
from test_site_quality import MODES, VNU

from book import catalogs, layout, pages, translations, worktree

MUTATED = "chapters/china-position"
PREVIOUS_INSERT = "旧案"  # characters only the earlier Japanese has
REASON = "the date follows the cited source, not the article"
SMUGGLED = "<script>alert('review')</script>"


def run_review(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        worktree.command("review", *args), cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def review_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every translation's review page from the committed catalogs, in a folder of its own:
    nothing else of the site (no Sphinx build) is there."""
    site = tmp_path_factory.mktemp("review") / "site"
    result = run_review("--site", str(site))
    assert result.returncode == 0, result.stderr
    return site


def parse(path: Path) -> html.HtmlElement:
    return html.fromstring(path.read_bytes())


def texts(side: html.HtmlElement) -> list[str]:
    return [p.text_content() for p in side.xpath('./p[@class="text"]')]


def messages(page: html.HtmlElement) -> list[html.HtmlElement]:
    return page.xpath('//article[contains(concat(" ", @class, " "), " message ")]')


def location(article: html.HtmlElement) -> tuple[str, int]:
    """The PO file and line an article names: locale/<tag>/LC_MESSAGES/x.po:42."""
    (text,) = article.xpath('.//a[@class="location"]/text()')
    path, line = text.rsplit(":", 1)
    return path, int(line)


def entries_by_line(path: Path) -> dict[int, polib.POEntry]:
    return {e.linenum: e for e in polib.pofile(str(path)) if not e.obsolete}


def source_line(entry: polib.POEntry) -> int:
    """The first source line of a message; one without (front matter) comes first."""
    lines = [int(line) for _, line in entry.occurrences if line]
    return min(lines) if lines else -1


# -- Every message, once, in reading order --------------------------------------------------


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_every_message_appears_once_in_reading_order(review_site: Path, tag: str) -> None:
    page = parse(review_site / "review" / f"{tag}.html")
    language = languages.get(tag)
    folder = ROOT / "locale" / tag / "LC_MESSAGES"
    catalogs_read = {p: entries_by_line(p) for p in sorted(folder.rglob("*.po"))}
    expected = {(p.relative_to(ROOT).as_posix(), n) for p, es in catalogs_read.items() for n in es}

    seen = []
    for article in messages(page):
        path, line = location(article)
        entry = catalogs_read[ROOT / path][line]
        original, translation = article.xpath('./div[contains(@class, "side")]')
        is_theme = Path(path).name == "sphinx.po"  # labels of the theme: English msgids
        assert {p.get("lang") for p in original.xpath('./p[@class="text"]')} == {
            "en" if is_theme else "ja"
        }
        if entry.msgid_plural:
            assert texts(original) == [entry.msgid, entry.msgid_plural]
            forms = [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
            assert texts(translation) == [f for f in forms if f]
        else:
            assert texts(original) == [entry.msgid]
            assert texts(translation) == ([entry.msgstr] if entry.msgstr else [])
        assert {p.get("lang") for p in translation.xpath('./p[@class="text"]')} <= {
            language.html_lang
        }
        seen.append((path, line, entry))
    assert len(seen) == len({(p, n) for p, n, _ in seen}), "a message shown twice"
    assert {(p, n) for p, n, _ in seen} == expected

    # Pages in the book's order, each once and whole, the theme's labels last.
    docs = [p.removeprefix(f"locale/{tag}/LC_MESSAGES/").removesuffix(".po") for p, _, _ in seen]
    groups = [d for i, d in enumerate(docs) if i == 0 or docs[i - 1] != d]
    assert len(groups) == len(set(groups))
    order = pages.reading_order()  # the source's: the review page follows the catalogs
    assert groups[: len(order)] == order
    assert groups[-1] == "sphinx"
    # Within a page, by the line of the source; within the labels, as the catalog has them.
    for doc in groups:
        keys = [
            n if doc == "sphinx" else source_line(e)
            for d, (_, n, e) in zip(docs, seen, strict=True)
            if d == doc
        ]
        assert keys == sorted(keys), doc
    assert source_line(seen[0][2]) == -1  # the index's description, from its front matter


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_summary_counts_what_the_catalogs_hold(review_site: Path, tag: str) -> None:
    page = parse(review_site / "review" / f"{tag}.html")
    overall, _ = catalogs.statistics(languages.get(tag))
    tally = {
        li.xpath("string(./text())").strip(): int(li.findtext("strong"))
        for li in page.xpath('//ul[@class="tally"]/li')
    }
    assert tally["messages"] == overall.total == len(messages(page))
    assert tally["translated"] + tally["exception"] == overall.translated
    assert (tally["fuzzy"], tally["untranslated"]) == (overall.fuzzy, overall.untranslated)
    findings = [
        f
        for path in translations.catalog_files(tag)
        for f in catalogs.check_catalog(path, languages.get(tag))
    ]
    errors = sum(f.blocking for f in findings)
    assert (tally["errors" if errors != 1 else "error"]) == errors
    assert page.xpath("//title/text()")[0].startswith(
        f"Review: {languages.get(tag).name} ({tag}) — "
    )


# -- Each state, on a mutated catalog ----------------------------------------------------------


@pytest.fixture(scope="module")
def mutated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy of locale/ whose English chapter has one fuzzy entry with the Japanese it was
    translated from (#| msgid), one emptied, one exception, one smuggled <script>, and a wrong
    Language header; its review page written from that copy."""
    base = tmp_path_factory.mktemp("mutated")
    locale = base / "locale"
    shutil.copytree(ROOT / "locale", locale)
    path = locale / "en" / "LC_MESSAGES" / f"{MUTATED}.po"
    catalog = polib.pofile(str(path))
    long_ones = [e for e in catalog if len(e.msgid) > 20 and e.translated() and not e.obsolete]
    fuzzy, empty, exception, smuggled = long_ones[:4]
    previous = fuzzy.msgid[:4] + PREVIOUS_INSERT + fuzzy.msgid[6:]
    fuzzy.flags.append("fuzzy")
    fuzzy.previous_msgid = previous
    empty.msgstr = ""
    exception.tcomment = f"facts: {REASON}"
    smuggled.msgstr += " " + SMUGGLED
    catalog.metadata["Language"] = "de"  # a finding on the whole file
    catalog.save(str(path))
    site = base / "site"
    result = run_review("en", "--site", str(site), "--locale", str(locale))
    assert result.returncode == 0, result.stderr
    lines = entries_by_line(path)
    by_msgid = {e.msgid: n for n, e in lines.items()}
    page_file = site / "review" / "en.html"
    page = parse(page_file)
    shown_path = f"locale/en/LC_MESSAGES/{MUTATED}.po"
    articles = {location(a)[1]: a for a in messages(page) if location(a)[0] == shown_path}
    return {
        "path": path,
        "site": site,
        "page_file": page_file,
        "page": page,
        "articles": articles,
        "findings": catalogs.check_catalog(path, languages.get("en")),
        "previous": previous,
        **{
            name: (articles[by_msgid[e.msgid]], lines[by_msgid[e.msgid]])
            for name, e in (
                ("fuzzy", fuzzy),
                ("empty", empty),
                ("exception", exception),
                ("smuggled", smuggled),
            )
        },
    }


def state(article: html.HtmlElement) -> str:
    (badge,) = article.xpath('.//*[contains(@class, "checks")]//span[contains(@class, "state")]')
    return badge.text_content()


def test_fuzzy_message_shows_the_earlier_japanese_as_a_diff(mutated: dict) -> None:
    article, entry = mutated["fuzzy"]
    assert state(article) == "fuzzy"
    assert "not published" in article.text_content()
    (diff,) = article.xpath('.//p[contains(@class, "diff")]')
    assert diff.get("lang") == "ja"
    deleted = "".join(d.text_content() for d in diff.iter("del"))
    inserted = "".join(i.text_content() for i in diff.iter("ins"))
    assert PREVIOUS_INSERT in deleted
    assert entry.msgid[4:6] in inserted
    # Without the deletions the diff reads as today's Japanese; without the insertions, as
    # the Japanese the translation was made from.
    without = html.fromstring(html.tostring(diff))
    for element in without.xpath("//del"):
        element.drop_tree()
    assert without.text_content() == entry.msgid
    without = html.fromstring(html.tostring(diff))
    for element in without.xpath("//ins"):
        element.drop_tree()
    assert without.text_content() == mutated["previous"] == entry.previous_msgid
    # The fuzzy draft is shown, and marked as not reaching readers.
    assert texts(article.xpath('./div[contains(@class, "translation")]')[0]) == [entry.msgstr]


def test_untranslated_message_says_readers_get_the_japanese(mutated: dict) -> None:
    article, entry = mutated["empty"]
    assert entry.msgstr == "" and state(article) == "untranslated"
    translation = article.xpath('./div[contains(@class, "translation")]')[0]
    assert texts(translation) == []
    assert "readers get the Japanese" in translation.text_content()


def test_exception_shows_its_reason(mutated: dict) -> None:
    article, entry = mutated["exception"]
    assert translations.fact_exception(entry) == REASON
    assert state(article) == "exception"
    assert REASON in article.xpath('string(.//*[@class="reason"])')


def test_findings_stand_beside_their_message(mutated: dict) -> None:
    """Every finding of check_catalog on the mutated catalog, with its kind and its level,
    in the article of the entry it names (a header finding at the top of the page)."""
    assert any(f.line <= 1 for f in mutated["findings"]), "the header must give a finding"
    for finding in mutated["findings"]:
        level = "error" if finding.blocking else "note"
        if finding.line <= 1:
            holder = mutated["page"].xpath('//ul[contains(@class, "whole-file")]')[0]
        else:
            owner = max(n for n in mutated["articles"] if n <= finding.line)
            holder = mutated["articles"][owner]
        shown = [
            (li.xpath('string(.//*[@class="level"])'), li.xpath('string(.//*[@class="kind"])'))
            for li in holder.xpath('.//li[contains(@class, "finding")]')
            if finding.message in li.text_content()
        ]
        assert (level, finding.kind) in shown, str(finding)
    article, entry = mutated["smuggled"]
    smuggled = [f for f in mutated["findings"] if f.line == entry.linenum and f.blocking]
    assert smuggled and any("script" in f.message for f in smuggled)
    assert all(f.message in article.text_content() for f in smuggled)


def test_summary_links_to_each_message_with_an_error(mutated: dict) -> None:
    page = mutated["page"]
    anchors = [unquote(h[1:]) for h in page.xpath('//ul[@class="error-list"]//a/@href')]
    shown_path = f"locale/en/LC_MESSAGES/{MUTATED}.po"
    errors = {(shown_path, f.line) for f in mutated["findings"] if f.blocking and f.line > 1}
    targets = {location(page.xpath(f'//article[@id="{a}"]')[0]) for a in anchors}
    assert targets == errors
    assert (shown_path, mutated["smuggled"][1].linenum) in targets


def test_smuggled_script_reaches_the_page_as_text_only(mutated: dict, browser) -> None:
    article, _ = mutated["smuggled"]
    page = mutated["page"]
    assert page.xpath("//script") == []
    assert SMUGGLED in texts(article.xpath('./div[contains(@class, "translation")]')[0])[0]
    assert "&lt;script&gt;" in mutated["page_file"].read_text(encoding="utf-8")
    tab = browser.new_page()
    dialogs = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        tab.goto(mutated["page_file"].as_uri())
        assert tab.evaluate("document.scripts.length") == 0
        assert SMUGGLED in tab.inner_text(f'[id="{article.get("id")}"]')
    finally:
        tab.close()
    assert dialogs == []


# -- Outside authorities -----------------------------------------------------------------------


@pytest.mark.slow  # the Nu HTML Checker (Java)
def test_nu_html_checker_reports_no_errors(review_site: Path, mutated: dict) -> None:
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: `make test` installs it (npm ci)")
    pages = [review_site / "review" / f"{tag}.html" for tag in TRANSLATIONS]
    pages.append(mutated["page_file"])
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = json.loads(result.stderr)["messages"]
    # Not an error, and not a warning either (such as an article without a heading).
    assert [f"{m['url']}:{m.get('lastLine')}: {m['type']}: {m['message']}" for m in found] == []
    assert result.returncode == 0


@pytest.fixture(scope="module")
def served_mutated(mutated: dict) -> Iterator[str]:
    with serve(mutated["site"]) as origin:
        yield origin


@pytest.mark.slow  # axe in four modes
@pytest.mark.parametrize(
    ("scheme", "name", "viewport"), MODES, ids=[f"{s}-{n}" for s, n, _ in MODES]
)
def test_axe_reports_no_violations_on_every_state(
    browser, served_mutated: str, scheme: str, name: str, viewport: tuple[int, int]
) -> None:
    """The mutated page has every state, a diff and findings: their colours in light and dark,
    their layout at desktop and phone width. (The published pages: test_site_quality.py.)"""
    from axe_playwright_python.sync_playwright import Axe

    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(f"{served_mutated}/review/en.html")
        page.wait_for_load_state("networkidle")
        found = Axe().run(page).response["violations"]
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    finally:
        context.close()
    assert [f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in found] == []
    assert not overflow, "the page is wider than the screen"
    origin = urlsplit(served_mutated).netloc
    assert {urlsplit(u).netloc for u in requests} == {origin}
    assert any(u.endswith("/review.css") for u in requests)


def test_page_works_from_the_file_system(browser, review_site: Path) -> None:
    """Opened as a file, with nothing of the site beside it but what review.py wrote: every
    message is there, styled, and nothing fails to load."""
    assert sorted(p.name for p in review_site.iterdir()) == ["favicon.svg", "review", "review.css"]
    failed: list[str] = []
    requests: list[str] = []
    tab = browser.new_page()
    tab.on("requestfailed", lambda r: failed.append(r.url))
    tab.on("request", lambda r: requests.append(r.url))
    try:
        for tag in TRANSLATIONS:
            tab.goto((review_site / "review" / f"{tag}.html").as_uri())
            tab.wait_for_load_state("load")
            shown = tab.locator("article.message").count()
            style = "getComputedStyle(document.querySelector('article.message')).display"
            overall, _ = catalogs.statistics(languages.get(tag))
            assert shown == overall.total, tag
            assert tab.evaluate(style) == "grid", "the stylesheet did not load"
    finally:
        tab.close()
    assert failed == []
    assert {urlsplit(u).scheme for u in requests} == {"file"}
    assert any(u.endswith("/review.css") for u in requests)


# -- The command and the links -----------------------------------------------------------------


def test_make_review_writes_the_page(tmp_path: Path) -> None:
    target = layout.SITE / "review" / "en.html"
    before = target.stat().st_mtime_ns if target.exists() else 0
    result = subprocess.run(
        ["make", "--no-print-directory", "review", "TAG=en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "build/site/review/en.html" in result.stdout
    assert target.is_file() and target.stat().st_mtime_ns >= before
    # The same catalogs give the same bytes (no date in the page).
    again = run_review("en", "--site", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "review" / "en.html").read_bytes() == target.read_bytes()


@pytest.mark.parametrize("tag", ["xx", "de_XX", "ja"])
def test_a_tag_that_is_no_translation_is_refused_by_name(tmp_path: Path, tag: str) -> None:
    result = run_review(tag, "--site", str(tmp_path))
    assert result.returncode != 0
    assert tag in result.stderr and "review: error:" in result.stderr
    assert not (tmp_path / "review" / f"{tag}.html").exists()
    made = subprocess.run(
        ["make", "--no-print-directory", "review", f"TAG={tag}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode != 0 and tag in made.stderr


def test_status_page_links_to_every_review_page() -> None:
    site = require(layout.SITE)
    status = site / "translation-status.html"
    links = parse(status).xpath("//a/@href")
    for tag in TRANSLATIONS:
        href = f"review/{tag}.html"
        assert href in links
        target = (status.parent / href).resolve()
        assert target.is_file()
        assert parse(target).xpath("//html/@lang") == ["en"]
        assert f"({tag})" in parse(target).findtext(".//h1")
