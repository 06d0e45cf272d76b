"""A translation that changes a fact is refused: every number and date of every committed
translation, changed one at a time, must fail `src/book/catalogs.py check` at that entry; and
each kind of fact, quotation, name and markup construct is shown refused on a small catalog.

"A number or date of a translation", for the mutations, is found here by plain patterns, not by
the checker's own extraction: every run of digits (in dates, URLs, "ES-11/1", "4.0", quoted
Japanese too), every English month name, every English number word before a unit of time
("one year") and every Chinese numeral before 年/周年 or after 第 and before 章.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import polib
import pytest
from conftest import TRANSLATIONS, languages
from test_catalogs import FIRST, entry, findings, write_catalog

from book import catalogs, layout, site_pages, translations

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve",
)  # fmt: skip
CJK = "一二三四五六七八九"


def mutations(text: str) -> list[tuple[str, str]]:
    """(what changed, the text with that one number or date changed)."""
    found = []
    role_targets = [m.span(1) for m in re.finditer(r"<([^<>`]+)>`", text)]

    def inside_target(pos: int) -> bool:
        return any(start <= pos < end for start, end in role_targets)

    for match in re.finditer(r"\d+", text):
        if inside_target(match.start()):
            continue
        digits = match[0]
        changed = str(int(digits) + 1).zfill(len(digits))
        found.append(
            (f"{digits} → {changed}", text[: match.start()] + changed + text[match.end() :])
        )
    for match in re.finditer(rf"\b({'|'.join(MONTHS)})\b", text):
        if match[1] == "May" and not re.search(r"\d", text[match.end() : match.end() + 6]):
            continue  # the verb
        other = MONTHS[(MONTHS.index(match[1]) + 1) % 12]
        found.append((f"{match[1]} → {other}", text[: match.start()] + other + text[match.end() :]))
    for match in re.finditer(
        rf"\b({'|'.join(WORDS)})(?=[\s-]+(?:year|month|week|day)s?\b)", text, re.I
    ):
        word = match[1]
        other = WORDS[(WORDS.index(word.lower()) + 1) % 12]
        other = other.capitalize() if word[0].isupper() else other
        found.append((f"{word} → {other}", text[: match.start()] + other + text[match.end() :]))
    for match in re.finditer(rf"[{CJK}](?=周?年)|(?<=第)[{CJK}](?=章)", text):
        other = CJK[(CJK.index(match[0]) + 1) % 9]
        found.append((f"{match[0]} → {other}", text[: match.start()] + other + text[match.end() :]))
    return found


def refused(path: str, entry: polib.POEntry, tag: str, terms: list) -> list[translations.Finding]:
    return [f for f in translations.message_findings(path, entry, tag, terms) if f.blocking]


@pytest.mark.parametrize("tag", TRANSLATIONS)
def test_every_changed_number_or_date_of_a_committed_translation_is_refused(tag: str) -> None:
    terms = translations.glossary()
    made = caught = 0
    missed = []
    for path in translations.catalog_files(tag):
        name = layout.relative(path)
        for original in polib.pofile(str(path)):
            if original.obsolete or not original.translated():
                continue
            assert refused(name, original, tag, terms) == [], f"{name}:{original.linenum}"
            for change, text in mutations(original.msgstr):
                mutant = polib.POEntry(
                    msgid=original.msgid, msgstr=text, tcomment=original.tcomment
                )
                mutant.linenum = original.linenum
                made += 1
                found = refused(name, mutant, tag, terms)
                if found and all(f.line == original.linenum for f in found):
                    caught += 1
                else:
                    missed.append(f"{name}:{original.linenum}: {change} in {text[:80]!r}")
    print(f"\n{tag}: {made} mutations of numbers and dates, {caught} refused")
    assert made >= 50
    assert missed == []


# -- Each kind of fact, on a small catalog -------------------------------------------------------

FACT_CASES = {
    "year": ("2023年2月", "February 2024", "the msgid has the date 2023-02; the msgstr has"),
    "day of the month": ("24日に発表した", "published on the 25th", "the day 24"),
    "day, month swapped": ("2022年3月2日", "3 February 2022", "the date 2022-03-02"),
    "slash date": ("公開日：2023/03/18", "published 18 March 2022", "the date 2023-03-18"),
    "duration": ("侵攻から1年", "two years since the invasion", "a duration of 1 year(s)"),
    "duration, Chinese": ("侵攻から1年", "入侵已满两年", "a duration of 1 year(s)"),
    "number": ("第1章の要約", "Summary in Chapter 2", "the number 1"),
    "percent": ("支持率は40%", "approval is 45 per cent", "40 %"),
    "URL": (
        "<https://www.bbc.com/japanese/64998175>",
        "<https://www.bbc.com/japanese/64998175> www.bbc-news.example",
        "the address www.bbc-news.example",
    ),
    "look-alike domain": ("BBC", "BBC (bbс.com)", "the address bbс.com"),  # Cyrillic с
    "number added": ("中国は検討している。", "China is considering 3 options.", "the number 3"),
}


@pytest.mark.parametrize("case", FACT_CASES)
def test_a_changed_fact_is_refused_naming_both(tmp_path: Path, case: str) -> None:
    msgid, msgstr, expected = FACT_CASES[case]
    tag = "zh_CN" if "Chinese" in case else "en"
    path = write_catalog(tmp_path, entry(msgid, msgstr), language=tag)
    found = [f for f in findings(path, tag) if f.kind == "facts"]
    assert found and all(f.blocking and f.line == FIRST for f in found), [str(f) for f in found]
    assert any(expected in f.message for f in found), [str(f) for f in found]
    assert f"{path}:{FIRST}: error: facts:" in str(found[0])


@pytest.mark.parametrize(
    ("msgid", "msgstr", "tag"),
    [
        ("2023年2月24日", "24 February 2023", "en"),
        ("2023年2月24日", "February 24, 2023", "en"),
        ("24日に", "on the 24th", "en"),
        ("侵攻1年", "One Year into the Invasion", "en"),
        ("侵攻1年", "入侵一周年", "zh_CN"),
        ("第一章", "Chapter 1", "en"),
        ("第一章", "第一章", "zh_CN"),
        ("公開日：2023/03/18", "published 18 March 2023", "en"),
        ("2023年3月18日公開", "2023年3月18日发布", "zh_CN"),
        ("「中立」を強調", "stresses its “neutrality”", "en"),
        ("「中立」を強調", "强调“中立”", "zh_CN"),
        ("CC BY 4.0", "CC BY 4.0", "en"),
    ],
)
def test_the_same_facts_in_another_languages_forms_pass(
    tmp_path: Path, msgid: str, msgstr: str, tag: str
) -> None:
    path = write_catalog(tmp_path, entry(msgid, msgstr), language=tag)
    assert [str(f) for f in findings(path, tag) if f.kind != "header"] == []


def test_a_dropped_or_added_quotation_is_refused(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path,
        entry("中国は「中立」を強調している。", "China stresses its neutrality.")
        + entry("中国は強調している。", "China “stresses” it."),
    )
    dropped, added = findings(path)
    assert "the msgid quotes 1 time(s) (「…」), the msgstr 0 time(s)" in dropped.message
    assert "the msgid quotes 0 time(s) (「…」), the msgstr 1 time(s)" in added.message


def test_a_quoted_title_must_be_its_glossary_form(tmp_path: Path) -> None:
    title = "ウクライナ危機を政治的に解決することに関する中国の立場"
    path = write_catalog(
        tmp_path, entry(f"中国が「{title}」を発表した。", "China published “a plan”.")
    )
    found = [f.message for f in findings(path)]
    assert any("does not quote \"China's Position" in m for m in found), found


def test_a_name_the_original_does_not_give_is_refused(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path, entry("習近平主席が訪問した。", "President Xi Jinping and Putin visited.")
    )
    assert any(
        "the msgstr names 'Putin', the msgid has no プーチン" in f.message for f in findings(path)
    )


def test_quoted_japanese_must_be_the_originals_words(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path, entry("「IDEスクエア」に掲載", "on “[IDEスクエア2]{.language-ja}” (IDE Square)")
    )
    found = [f.message for f in findings(path)]
    assert any(
        "quotes [IDEスクエア2]{.language-ja}, which the msgid does not have" in m for m in found
    )


def test_a_facts_comment_turns_the_difference_into_a_listed_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "locale" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    text = entry("侵攻から1年", "on the first anniversary of the invasion")
    path = write_catalog(folder, "# facts: an anniversary is one year\n" + text)
    (note,) = findings(path)
    assert not note.blocking and note.kind == "facts"
    assert "(exception: an anniversary is one year)" in note.message
    # An empty reason is no exception.
    write_catalog(folder, "# facts:\n" + text)
    assert all(f.blocking for f in findings(path))
    # Listed by `make stats` (and so on the translation status page, which reads the report).
    write_catalog(folder, "# facts: an anniversary is one year\n" + text)
    monkeypatch.setattr(layout, "LOCALE", tmp_path / "locale")
    (row,) = [r for r in catalogs.status_report()["languages"] if r["tag"] == "en"]
    assert row["exceptions"] == [
        {
            "file": str(path),
            "line": FIRST,
            "msgid": "侵攻から1年",
            "reason": "an anniversary is one year",
        }
    ]


def test_the_status_page_lists_every_exception_of_the_catalogs(site: Path) -> None:
    page = (site / "translation-status.html").read_text(encoding="utf-8")
    listed = 0
    for tag in TRANSLATIONS:
        for item in catalogs.exceptions(languages.get(tag)):
            assert f"<code>{item['file']}:{item['line']}</code>" in page
            # Compared as text: Jinja writes an apostrophe as &#39;, html.escape as &#x27;.
            assert str(item["reason"]) in html.unescape(page)
            listed += 1
    assert listed >= 1  # the English glossary's two forms of Xi Jinping's title
    # A language without exceptions says so.
    row = {**catalogs.status_report()["languages"][0], "exceptions": []}
    page = site_pages.status_page({"languages": [row]})
    assert "No message differs from the original in a fact." in page
