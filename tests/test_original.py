"""The Japanese original beside the translation (src/book/sphinxext/original.py): in each translated
HTML edition a control shows, after every translated block, its Japanese original, marked
lang="ja"; off by default, keyboard-operable, remembered across pages, a plain link to the
Japanese page without JavaScript or from the file system.

Checked in Chromium, the site served over HTTP with the site's Content-Security-Policy; what
each block must show is derived from the catalogs (locale/) and the source (docs/), never from
the output.
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from conftest import (
    DOCS,
    SOURCE_LANGUAGE,
    TRANSLATIONS,
    PolicyHandler,
    content_pages,
    copy_project,
    first_heading,
    languages,
    navigation_title,
    serve,
)
from test_colophon import expected_values
from test_i18n_build import sphinx_html
from test_site_quality import MODES, hosted_site  # noqa: F401

from book import bench, layout, message_checks, pages, translations

pytestmark = pytest.mark.slow  # the toggle in Chromium, axe in four modes

CHAPTER = "chapters/china-position"
CONTROL = ".book-original-control"
BUTTON = f"{CONTROL} button"
ORIGINAL = ".book-original-text"
# Sphinx's smartquotes curl the quotes of a translation; the catalogs have straight ones.
QUOTES = str.maketrans("‘’“”", "''\"\"")

# The text of each original on the page and of the block it belongs to: the heading or
# contents caption before it, the contents link before it, or the block it ends.
PAIRS_JS = """() => {
  const words = (el) => {
    el = el.cloneNode(true);
    el.querySelectorAll(".book-original-text, .headerlink, .print-url").forEach((e) => e.remove());
    return el.textContent;
  };
  return [...document.querySelectorAll(".book-original-text")].map((o) => {
    const before = o.tagName == "P" || o.parentNode.matches(".toctree-wrapper li");
    return {
      translation: words(before ? o.previousElementSibling : o.parentNode),
      original: o.textContent,
      lang: o.lang,
      visible: o.checkVisibility(),
    };
  });
}"""


# -- Expectations, from the catalogs and the source ------------------------------------------


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(QUOTES)).strip()


@functools.cache
def labels() -> dict[str, tuple[str, str]]:
    """Every label of the source that a bare {ref} names: label → (page, its heading)."""
    found = {}
    for doc in content_pages():
        lines = (DOCS / f"{doc}.md").read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            label = re.fullmatch(r"\((.+)\)=", line)
            if label and number + 1 < len(lines):
                title = re.fullmatch(r"#+ (.+)", lines[number + 1])
                if title:
                    found[label[1]] = (doc, title[1])
    return found


def rendered(message: str, tag: str) -> str:
    """The text a reader sees of a MyST message in one edition: the markup gone, a reference
    shown as its title (a bare reference as the heading it names, in that language)."""
    text = []
    for token in message_checks.myst_parser().parseInline(message)[0].children or []:
        if token.type in ("text", "code_inline"):
            text.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            text.append(" ")
        elif token.type == "myst_role" and token.meta["name"] == "colophon":
            text.append(colophon_value(token.content, tag))
        elif token.type == "myst_role":
            assert token.meta["name"] == "ref", f"role {token.meta['name']}: teach the test"
            explicit = re.fullmatch(r"(.*?)\s*<([^<>]+)>", token.content, re.S)
            if explicit:
                text.append(explicit[1])
            else:
                doc, title = labels()[token.content]
                text.append(rendered(translations.translate(tag, doc, title), tag))
    return normalise("".join(text))


def colophon_value(key: str, tag: str) -> str:
    """A value of the colophon in one edition, from where its fact lives (test_colophon)."""
    if key == "original-title":
        return first_heading("index")
    return expected_values(tag)[key]


def only_lines(doc: str) -> set[int]:
    """The source lines inside an {only} fence: blocks of some editions, not of the original,
    so none of them has an original at its place."""
    lines = (DOCS / f"{doc}.md").read_text(encoding="utf-8").splitlines()
    inside, found = False, set()
    for number, line in enumerate(lines, start=1):
        if re.match(r"^:{3,}\{only\}", line):
            inside = True
        elif inside and re.fullmatch(r":{3,}", line):
            inside = False
        elif inside:
            found.add(number)
    return found


def expected_pairs(tag: str, doc: str) -> Counter[tuple[str, str]]:
    """(translation, original) for every block of a page whose translation differs from the
    original: each translated message of the page's catalog, as often as the catalog says it
    occurs (its source lines; gettext gives a glossary term no line), but the front matter's
    description, which is no block unless a paragraph says the same; and the titles of the
    pages that its contents list names."""
    front_matter, body = (DOCS / f"{doc}.md").read_text(encoding="utf-8").split("\n---\n", 1)
    description = re.search(r'^    description: "(.*)"$', front_matter, re.M)[1]
    body_lines = {line.strip() for line in body.splitlines()}
    catalog = polib.pofile(str(layout.LOCALE / tag / "LC_MESSAGES" / f"{doc}.po"))
    pairs: Counter[tuple[str, str]] = Counter()
    for entry in catalog:
        if entry.obsolete or not entry.translated():
            continue
        if entry.msgid == description and entry.msgid not in body_lines:
            continue
        here = [line for path, line in entry.occurrences if path.endswith(f"/{doc}.md")]
        if here and all(line and int(line) in only_lines(doc) for line in here):
            continue
        blocks = len({line for line in here if line}) or len(here)
        translation, original = rendered(entry.msgstr, tag), rendered(entry.msgid, SOURCE_LANGUAGE)
        if entry.msgid == first_heading(doc):  # the page's title: a chapter's with its label
            translation = normalise(navigation_title(doc, tag))
            original = normalise(navigation_title(doc, SOURCE_LANGUAGE))
        pairs[(translation, original)] += blocks
    for entry in pages.toctree_entries(doc):
        pairs[
            (
                normalise(navigation_title(entry, tag)),
                normalise(navigation_title(entry, SOURCE_LANGUAGE)),
            )
        ] += 1
    return Counter({pair: n for pair, n in pairs.items() if n and pair[0] != pair[1]})


# -- The site, served as a host serves it ----------------------------------------------------


@pytest.fixture(scope="module")
def origin(hosted_site: str) -> str:  # noqa: F811  (the fixture imported above)
    """The site as a host serves it, with its headers (test_site_quality.hosted_site)."""
    return hosted_site


@pytest.fixture
def context(browser):
    """A fresh browser profile: nothing remembered."""
    context = browser.new_context()
    yield context
    context.close()


class Watch:
    """What a page reports: uncaught errors, console errors, requests."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.console: list[str] = []
        self.requests: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("request", lambda request: self.requests.append(request.url))


def open_page(context, url: str, settle: str = "load"):
    page = context.new_page()
    watch = Watch(page)
    page.goto(url, wait_until=settle)
    return page, watch


def switch(page, on: bool) -> None:
    button = page.locator(BUTTON)
    if button.get_attribute("aria-pressed") != str(on).lower():
        button.click()
    if on:
        page.locator(ORIGINAL).first.wait_for(state="visible")
    assert button.get_attribute("aria-pressed") == str(on).lower()


# -- Tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_off_by_default_and_nothing_fetched_for_it(context, origin: str, tag: str) -> None:
    page, watch = open_page(context, f"{origin}/{tag}/{CHAPTER}.html")
    assert page.locator(BUTTON).get_attribute("aria-pressed") == "false"
    assert page.locator(ORIGINAL).count() == 0
    # A reader who does not show the originals fetches neither them nor their script.
    japanese = f"{origin}/{SOURCE_LANGUAGE}/"  # the origin may have /ja/ in its base path
    fetched = [u for u in watch.requests if "book-original-text" in u or u.startswith(japanese)]
    assert fetched == []
    assert watch.errors == watch.console == []


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_keyboard_operates_the_toggle(context, origin: str, tag: str) -> None:
    page, watch = open_page(context, f"{origin}/{tag}/{CHAPTER}.html")
    button = page.locator(BUTTON)
    for _ in range(60):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reaches the control")
    # Its focus is visible (the browser's focus ring, not taken away).
    style, width = button.evaluate(
        "b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).outlineWidth]"
    )
    assert style != "none" and width != "0px", (style, width)
    assert button.get_attribute("aria-pressed") == "false"
    page.keyboard.press("Enter")
    page.locator(ORIGINAL).first.wait_for(state="visible")
    assert button.get_attribute("aria-pressed") == "true"
    page.keyboard.press("Space")
    page.locator(ORIGINAL).first.wait_for(state="hidden")
    assert button.get_attribute("aria-pressed") == "false"
    assert page.locator(f"{ORIGINAL}:visible").count() == 0
    page.keyboard.press("Space")
    page.locator(ORIGINAL).first.wait_for(state="visible")
    assert button.get_attribute("aria-pressed") == "true"
    assert watch.errors == watch.console == []


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_every_translated_block_gets_its_original(browser, origin: str, tag: str) -> None:
    context = browser.new_context()
    try:
        for doc in content_pages():
            page, watch = open_page(context, f"{origin}/{tag}/{doc}.html")
            switch(page, True)
            shown = page.evaluate(PAIRS_JS)
            page.close()
            assert all(o["lang"] == "ja" for o in shown), doc
            assert all(o["visible"] for o in shown), doc
            actual = Counter((normalise(o["translation"]), normalise(o["original"])) for o in shown)
            expected = expected_pairs(tag, doc)
            assert actual - expected == Counter(), f"{doc}: not the original of its block"
            assert expected - actual == Counter(), f"{doc}: a translated block without it"
            assert watch.errors == watch.console == []
    finally:
        context.close()


# Two messages of the chapter: one left untranslated, one fuzzy (never published).
UNTRANSLATED = "2023年2月、ロシアのウクライナ侵攻から1年が経過し、戦争は激化する一方です。"
FUZZY = "中国は習近平訪ロについて検討しており、今後の動きが注目されます。"


@pytest.fixture(scope="module")
def partly_translated(tmp_path_factory: pytest.TempPathFactory, site: Path) -> Iterator[str]:
    """The English chapter built from a catalog with an untranslated and a fuzzy message,
    served beside the published Japanese edition."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    path = project / "locale" / "en" / "LC_MESSAGES" / f"{CHAPTER}.po"
    catalog = polib.pofile(str(path))
    catalog.find(UNTRANSLATED).msgstr = ""
    catalog.find(FUZZY).flags.append("fuzzy")
    catalog.save(str(path))
    result = sphinx_html(project, "en")
    assert result.returncode == 0, result.stderr
    served = tmp_path_factory.mktemp("site")
    os.symlink(project / "out", served / "en")
    os.symlink(site / SOURCE_LANGUAGE, served / SOURCE_LANGUAGE)
    with serve(served, PolicyHandler) as origin:
        yield origin


def test_an_untranslated_block_is_not_shown_twice(context, partly_translated: str) -> None:
    page, watch = open_page(context, f"{partly_translated}/en/{CHAPTER}.html")
    switch(page, True)
    shown = Counter(
        (normalise(o["translation"]), normalise(o["original"])) for o in page.evaluate(PAIRS_JS)
    )
    expected = expected_pairs("en", CHAPTER)
    for message in (UNTRANSLATED, FUZZY):
        japanese = rendered(message, SOURCE_LANGUAGE)
        assert page.get_by_text(japanese, exact=True).count() == 1  # the page's own block
        assert not any(original == japanese for _, original in shown)
        del expected[next(pair for pair in expected if pair[1] == japanese)]
    assert shown == expected
    assert watch.errors == watch.console == []


def test_the_japanese_edition_has_no_control_and_loads_nothing_of_it(context, origin: str) -> None:
    # Remembered as on from a translation: the Japanese pages still show nothing of it.
    page, _ = open_page(context, f"{origin}/{TRANSLATIONS[0]}/{CHAPTER}.html")
    switch(page, True)
    for doc in content_pages():
        page, watch = open_page(context, f"{origin}/{SOURCE_LANGUAGE}/{doc}.html")
        assert page.locator(f"{CONTROL}, {ORIGINAL}").count() == 0, doc
        assert [url for url in watch.requests if "book-original" in url] == [], doc


def test_the_state_is_remembered_across_pages(context, origin: str) -> None:
    tag = TRANSLATIONS[0]
    page, watch = open_page(context, f"{origin}/{tag}/{CHAPTER}.html")
    switch(page, True)
    page.locator("a.next-page").click()
    page.wait_for_load_state()
    assert not page.url.endswith(f"{CHAPTER}.html")
    page.locator(ORIGINAL).first.wait_for(state="visible")  # shown without a click
    assert page.locator(BUTTON).get_attribute("aria-pressed") == "true"
    switch(page, False)
    page.locator("a.next-page").click()
    page.wait_for_load_state()
    assert page.locator(BUTTON).get_attribute("aria-pressed") == "false"
    assert page.locator(f"{ORIGINAL}:visible").count() == 0
    assert watch.errors == watch.console == []


def test_the_control_is_not_printed(context, origin: str) -> None:
    """On paper (book.css: no buttons), the originals if shown, but not the control."""
    page, _ = open_page(context, f"{origin}/{TRANSLATIONS[0]}/{CHAPTER}.html")
    switch(page, True)
    page.emulate_media(media="print")
    assert page.locator(CONTROL).is_hidden()
    assert page.locator(ORIGINAL).first.is_visible()


def japanese_page_reached(page, doc: str) -> None:
    assert page.url.endswith(f"/{SOURCE_LANGUAGE}/{doc}.html"), page.url
    assert page.locator("html").get_attribute("lang") == languages.get(SOURCE_LANGUAGE).html_lang
    # The heading's text without its permalink sign (a Japanese heading has <wbr> in it).
    title = page.locator("article h1").first.evaluate(
        "h => [...h.childNodes].filter(n => !n.matches?.('.headerlink'))"
        ".map(n => n.textContent).join('')"
    )
    assert normalise(title) == navigation_title(doc, SOURCE_LANGUAGE)


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_without_javascript_the_control_leads_to_the_japanese_page(
    browser, origin: str, tag: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page, _ = open_page(context, f"{origin}/{tag}/{CHAPTER}.html")
        link = page.locator(f"{CONTROL} a")
        assert link.get_attribute("hreflang") == "ja"
        link.click()
        page.wait_for_load_state()
        japanese_page_reached(page, CHAPTER)
    finally:
        context.close()


def test_from_the_file_system_the_control_stays_a_link(context, site: Path) -> None:
    page, watch = open_page(context, (site / TRANSLATIONS[0] / f"{CHAPTER}.html").as_uri())
    assert page.locator(BUTTON).count() == 0
    page.locator(f"{CONTROL} a").click()
    page.wait_for_load_state()
    japanese_page_reached(page, CHAPTER)
    assert watch.errors == watch.console == []


def test_without_the_japanese_page_the_control_becomes_a_link_again(context, origin: str) -> None:
    tag = TRANSLATIONS[0]
    page = context.new_page()
    watch = Watch(page)
    page.route(f"**/{SOURCE_LANGUAGE}/{CHAPTER}.html", lambda route: route.abort())
    page.goto(f"{origin}/{tag}/{CHAPTER}.html")
    page.locator(BUTTON).click()
    page.locator(f"{CONTROL} a").wait_for()
    assert page.locator(ORIGINAL).count() == 0
    assert watch.errors == []


@pytest.mark.parametrize("tag", TRANSLATIONS)
@pytest.mark.parametrize(
    ("scheme", "name", "viewport"), MODES, ids=[f"{s}-{n}" for s, n, _ in MODES]
)
def test_axe_reports_no_violations_with_the_originals_shown(
    browser, origin: str, tag: str, scheme: str, name: str, viewport: tuple[int, int]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    try:
        page, watch = open_page(context, f"{origin}/{tag}/{CHAPTER}.html")
        switch(page, True)
        violations = Axe().run(page).response["violations"]
        assert [f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in violations] == []
        # The site's Content-Security-Policy refused nothing.
        assert [m for m in watch.console if "Content Security Policy" in m] == []
    finally:
        context.close()


def test_a_first_visit_stays_within_the_weight_target(browser, origin: str, site: Path) -> None:
    """src/book/bench.py's measurement: the bytes of everything Chromium fetches to show a
    chapter, in a fresh profile (the originals off)."""
    limit = bench.TARGETS["chapter first load (bytes)"][1]
    for tag in TRANSLATIONS:
        context = browser.new_context()
        _, watch = open_page(context, f"{origin}/{tag}/{CHAPTER}.html", "networkidle")
        context.close()
        files = {site / url.removeprefix(f"{origin}/").split("?")[0] for url in watch.requests}
        weight = sum(path.stat().st_size for path in files if path.is_file())
        print(f"{tag}: chapter first load {weight} bytes")
        assert weight <= limit, f"{tag}: {weight} bytes"


def test_the_epubs_carry_nothing_of_it(site: Path) -> None:
    books = sorted((site / "downloads").glob("*.epub"))
    assert len(books) >= len(TRANSLATIONS) + 1
    for book in books:
        with zipfile.ZipFile(book) as epub:
            for name in epub.namelist():
                assert "book-original" not in name, f"{book.name}: {name}"
                assert b"book-original" not in epub.read(name), f"{book.name}: {name}"
