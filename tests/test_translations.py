"""The translated editions and the site that joins the editions: language switcher, hreflang
alternates, downloads, the root page, translation statistics, and translations that leave no
Japanese behind."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from conftest import (
    LANGUAGES,
    ROOT,
    TRANSLATIONS,
    content_pages,
    html_pages_of,
    html_root,
    languages,
    main_text,
    parse_html,
    pdf_body_text,
    pdf_file,
    published_file,
)
from lxml import html
from source_text import squash

KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u3400-\u9fff]")


def resolves(page: Path, href: str) -> bool:
    """A relative link from the page, or an absolute URL of the published site."""
    target, _fragment = urldefrag(href)
    if "://" in target:
        local = published_file(target)
        return local is not None and local.is_file()
    return (page.parent / target).resolve().is_file()


def test_every_published_language_has_all_three_formats(site: Path) -> None:
    for tag in LANGUAGES:
        assert (site / tag / "index.html").is_file(), tag
        assert pdf_file(tag).is_file()


@pytest.mark.parametrize("doc", content_pages())
def test_switcher_leads_to_the_same_page_in_every_language(tag: str, doc: str) -> None:
    page_path = html_root(tag) / f"{doc}.html"
    page = parse_html(page_path)
    (switcher,) = page.xpath('//ul[@class="book-languages"]')
    links = switcher.xpath(".//a")
    current = switcher.xpath('.//*[@aria-current="page"]')
    names = {lang.tag: lang.native_name for lang in languages.published_languages()}
    assert [c.text_content() for c in current] == [names[tag]]
    assert sorted(a.text_content() for a in links) == sorted(
        names[t] for t in LANGUAGES if t != tag
    )
    for link in links:
        href = link.get("href")
        assert resolves(page_path, href), href
        assert href.endswith(f"/{doc}.html")
        assert link.get("lang") == link.get("hreflang")


def test_hreflang_alternates_name_every_edition(tag: str) -> None:
    for doc in content_pages():
        page_path = html_root(tag) / f"{doc}.html"
        page = parse_html(page_path)
        alternates = {
            link.get("hreflang"): link.get("href")
            for link in page.xpath('//head/link[@rel="alternate"][@hreflang]')
        }
        assert sorted(alternates) == sorted(languages.get(t).html_lang for t in LANGUAGES)
        assert all(resolves(page_path, href) for href in alternates.values()), alternates


def test_downloads_are_this_editions_epub_and_pdf(tag: str) -> None:
    page_path = html_root(tag) / "chapters" / "china-position.html"
    links = parse_html(page_path).xpath('//ul[@class="book-downloads"]//a/@href')
    vertical = [f"xi-russia-2023-{tag}-vertical.epub"] if languages.get(tag).vertical_epub else []
    assert [Path(href).name for href in links] == [
        f"xi-russia-2023-{tag}.epub",
        *vertical,
        f"xi-russia-2023-{tag}.pdf",
    ]
    assert all(resolves(page_path, href) for href in links)


def test_root_page_sends_readers_to_every_edition(site: Path) -> None:
    root = site / "index.html"
    page = parse_html(root)
    editions = page.xpath('//a[@class="edition"]/@href')
    assert editions == [f"{t}/index.html" for t in LANGUAGES]
    assert all(resolves(root, href) for href in page.xpath("//a/@href"))
    assert page.xpath("//script/@src") == ["language-redirect.js"]
    assert not page.xpath("//script[not(@src)]")  # no inline script


@pytest.mark.parametrize("translation", TRANSLATIONS)
def test_translation_leaves_no_japanese_outside_original_names(translation: str) -> None:
    """Japanese may remain only where a translation quotes an original name, marked lang=ja."""
    for doc, page in html_pages_of(html_root(translation)).items():
        for quoted in page.xpath('//*[@lang="ja"]'):
            quoted.drop_tree()
        text = main_text(page)
        assert KANA.findall(text) == [], doc
        if translation == "en":
            assert HAN.findall(text) == [], doc


@pytest.mark.parametrize("translation", TRANSLATIONS)
def test_every_message_is_published_translated(translation: str) -> None:
    for doc, page in html_pages_of(html_root(translation)).items():
        assert page.xpath('//*[contains(@class, "untranslated")]') == [], doc


def test_english_pdf_shows_the_japanese_names_of_its_bibliography() -> None:
    sources = parse_html(html_root("en") / "sources.html")
    names = [node.text_content() for node in sources.xpath('//article//*[@lang="ja"]')]
    assert names, "the English bibliography quotes no original Japanese name"
    text = squash(pdf_body_text(pdf_file("en"), top_mm=19, bottom_mm=16))
    assert [name for name in names if squash(name) not in text] == []


def msgfmt_statistics(path: Path) -> tuple[int, int, int]:
    out = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    numbers = {
        kind: int(match[1]) if (match := re.search(rf"(\d+) {kind}", out)) else 0
        for kind in ("translated", "fuzzy", "untranslated")
    }
    return numbers["translated"], numbers["fuzzy"], numbers["untranslated"]


def test_published_statistics_match_msgfmt(site: Path) -> None:
    report = json.loads((site / "translation-status.json").read_text(encoding="utf-8"))
    assert sorted(entry["tag"] for entry in report["languages"]) == sorted(TRANSLATIONS)
    page = html.fromstring((site / "translation-status.html").read_bytes())
    for entry in report["languages"]:
        totals = [0, 0, 0]
        for path, counts in entry["catalogs"].items():
            expected = msgfmt_statistics(ROOT / path)
            assert (counts["translated"], counts["fuzzy"], counts["untranslated"]) == expected
            totals = [a + b for a, b in zip(totals, expected, strict=True)]
        assert [entry["translated"], entry["fuzzy"], entry["untranslated"]] == totals
        row = page.xpath(f'//tr[th//span[@lang="{entry["tag"].replace("_", "-")}"]]/td/text()')
        assert row[:3] == [str(n) for n in totals]


def translated_texts(translation: str) -> list[str]:
    """The text of every translated message of a language's page catalogs, markup removed."""
    import polib

    texts = []
    folder = ROOT / "locale" / translation / "LC_MESSAGES"
    for doc in content_pages():
        for entry in polib.pofile(str(folder / f"{doc}.po")):
            # A page's description (front matter html_meta, an occurrence without a line) is
            # metadata, not text: tests/test_hosting.py checks it.
            if any(not line for _, line in entry.occurrences):
                continue
            if entry.translated() and not entry.obsolete:
                # A role shows its own text, or (without one) the target's title, which is
                # not in the msgstr: the text on either side of it is checked on its own.
                text = re.sub(r"\{[a-z]+\}`([^`<]*?)\s*<[^>]*>`", r"\1", entry.msgstr)
                text = re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", text)  # [name]{.language-ja}
                for piece in re.split(r"\{[a-z]+\}`[^`]*`", text):
                    piece = re.sub(r"[*`<>]", "", piece).strip(" 、,，.。")
                    if len(piece) > 1:
                        texts.append(piece)
    return texts


@pytest.mark.parametrize("translation", TRANSLATIONS)
@pytest.mark.parametrize("fmt", ["html", "epub", "pdf"])
def test_every_translated_message_reaches_its_edition(translation: str, fmt: str) -> None:
    """Each edition is in its own language: every msgstr of its catalogs is in its text."""
    from conftest import epub_file, epub_text_of

    if fmt == "html":
        text = "".join(main_text(p) for p in html_pages_of(html_root(translation)).values())
    elif fmt == "epub":
        text = epub_text_of(epub_file(translation))
    else:
        text = pdf_body_text(pdf_file(translation), top_mm=19, bottom_mm=16)
    # Typographic quotes and apostrophes as the build sets them (English smartquotes).
    flat = squash(text).replace("’", "'")
    messages = translated_texts(translation)
    assert len(messages) > 40
    missing = [m for m in messages if squash(m).replace("’", "'") not in flat]
    assert missing == []
