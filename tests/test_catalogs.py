"""The catalog checks (src/book/catalogs.py check): each is fed a bad catalog made here, in a
temporary folder, and must name the file, the line and the problem; the committed catalogs
pass them all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib
import pytest
from conftest import LANGUAGES, ROOT, languages

from book import catalogs, translations, worktree

HEADER = """msgid ""
msgstr ""
"Project-Id-Version: test\\n"
"PO-Revision-Date: 2026-11-27 09:30+0000\\n"
"Last-Translator: Test <test@example.org>\\n"
"Language-Team: English\\n"
"Language: {language}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"""


def write_catalog(folder: Path, entries: str, language: str = "en") -> Path:
    path = folder / "page.po"
    path.write_text(HEADER.format(language=language) + "\n" + entries, encoding="utf-8")
    return path


def entry(msgid: str, msgstr: str, flags: str = "") -> str:
    flag_line = f"#, {flags}\n" if flags else ""
    quote = lambda s: s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")  # noqa: E731
    return f'{flag_line}msgid "{quote(msgid)}"\nmsgstr "{quote(msgstr)}"\n\n'


def findings(path: Path, tag: str = "en") -> list[translations.Finding]:
    return catalogs.check_catalog(path, languages.get(tag))


def only(found: list[translations.Finding]) -> translations.Finding:
    assert len(found) == 1, [str(f) for f in found]
    return found[0]


# Line of the first entry after the header (11 header lines and a blank line).
FIRST = 13


def test_committed_catalogs_pass_every_check() -> None:
    result = subprocess.run(
        worktree.command("catalogs", "check"), cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "catalogs: 0 error(s)," in result.stderr
    # The only notes: differences of facts that a translator explained (# facts: …).
    notes = result.stdout.splitlines()
    assert all(": note: facts: " in n and "(exception: " in n for n in notes), notes
    for tag in LANGUAGES:
        assert tag in result.stderr


def test_a_good_catalog_passes(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path, entry("出典：{ref}`BBC <source-bbc>`", "Source: {ref}`BBC <source-bbc>`")
    )
    assert findings(path) == []


def test_broken_syntax_names_the_line(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, 'msgid "一"\nmsgstr "one\n\nmsgid "二"\nmsgstr "two"\n')
    found = findings(path)
    assert found and all(f.blocking for f in found)
    # The unterminated string is on line FIRST + 1; msgfmt reports the newline that ends it.
    assert any(f.line == FIRST + 2 and f.kind == "msgfmt" for f in found), [str(f) for f in found]
    assert "end-of-line within string" in found[0].message
    assert str(path) in str(found[0])


def test_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, "")
    path.write_bytes(path.read_bytes() + 'msgid "Café"\nmsgstr "Café"\n'.encode("latin-1"))
    found = only(findings(path))
    assert found.kind == "encoding" and "not UTF-8" in found.message
    assert found.line == FIRST  # the line of the first Latin-1 byte (the msgid)


def test_header_language_must_match_the_folder(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, entry("一", "one"), language="de")
    found = only(findings(path))
    assert (found.kind, found.line) == ("header", 1)
    assert "'de'" in found.message and "'en'" in found.message


def test_plural_forms_must_fit_the_language(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, entry("一", "一"), language="zh_CN")
    found = only(findings(path, "zh_CN"))
    assert found.kind == "header" and "nplurals=2, zh_CN has 1" in found.message


@pytest.mark.parametrize("tag", ["de", "fr", "pl", "ru", "ar", "ja"])
def test_a_new_catalog_has_its_languages_plural_rule(tag: str, tmp_path: Path) -> None:
    """The header `make add-language` writes is the language's gettext rule: GNU msgfmt
    evaluates it against a message with plural forms, one msgstr per form it declares.
    (A rule written by hand, `(n != 1)` with nplurals=2, is wrong for all but de.)"""
    catalog = catalogs.new_catalog(tag)
    nplurals = int(catalog.metadata["Plural-Forms"].split(";")[0].split("=")[1])
    catalog.append(
        polib.POEntry(
            msgid="one page",
            msgid_plural="{n} pages",
            msgstr_plural={i: f"{i}: {{n}}" for i in range(nplurals)},
        )
    )
    path = tmp_path / f"{tag}.po"
    catalog.save(str(path))
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    expected = {"de": 2, "fr": 3, "pl": 3, "ru": 3, "ar": 6, "ja": 1}[tag]  # CLDR/gettext
    assert nplurals == expected
    assert not [f for f in catalogs.header_findings(str(path), polib.pofile(str(path)), tag)]


def test_fuzzy_and_untranslated_entries_are_listed(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, entry("一", "one", "fuzzy") + entry("二", ""))
    fuzzy, untranslated = findings(path)
    # An entry's line is its first, here the "#, fuzzy" flag.
    assert (fuzzy.kind, fuzzy.line, fuzzy.message) == ("fuzzy", FIRST, "一")
    assert (untranslated.kind, untranslated.line) == ("untranslated", FIRST + 4)
    # A finished edition (complete = true in languages.toml) may not publish either.
    assert fuzzy.blocking and untranslated.blocking


@pytest.mark.parametrize(
    ("msgid", "msgstr", "expected"),
    [
        (
            "**URL**：<https://example.org/a>",
            "**URL**: <https://example.org/b>",
            "lacks link to https://example.org/a",
        ),
        ("出典：{ref}`BBC <source-bbc>`", "Source: BBC", "lacks role {ref} → source-bbc"),
        (
            "出典：{ref}`BBC <source-bbc>`",
            "Source: {ref}`BBC <source-ide>`",
            "lacks role {ref} → source-bbc",
        ),
        (
            "出典：{ref}`BBC <source-bbc>`",
            "Source: {doc}`BBC <source-bbc>`",
            "lacks role {ref} → source-bbc",
        ),
        ("`code` です", "it is code", "lacks inline code `code`"),
        ("注[^1]", "note", "lacks footnote [^1]"),
        ("**発行元**：BBC", "**Publisher: BBC", "lacks strong"),
        ("*強調*", "emphasis", "lacks em"),
        ("出典", "Source ![](https://t.example/p.png)", "adds image https://t.example/p.png"),
        (
            "出典",
            "Source ![x][r]\n\n[r]: https://t.example/p.png",
            "adds image https://t.example/p.png",
        ),
        ("出典", "Source [BBC](https://t.example/)", "adds link to https://t.example/"),
        ("出典", "Source [BBC][r]\n\n[r]: https://t.example/", "adds link to https://t.example/"),
        ("出典", "Source <https://t.example/>", "adds link to https://t.example/"),
        ("出典", "Source {math}`x^2`", "adds role {math} → x^2"),
        (
            "出典",
            "Source {download}`f <https://t.example/f>`",
            "adds role {download} → https://t.example/f",
        ),
        ("出典", "Source[^n]\n\n[^n]: note", "adds footnote [^n]"),
        ("出典", "Source\n\n```{raw} html\n<b>\n```", "adds block ```{raw} html"),
        (
            "出典",
            "Source\n\n```{image} https://t.example/p.png\n```",
            "adds block ```{image} https://t.example/p.png",
        ),
        ("出典", "# Source", "adds heading h1"),
        ("出典", "- Source", "adds bullet_list ul"),
        ("出典", "Source\n% hidden", "adds myst_line_comment"),
        ("出典", "(x)=\nSource", "adds target (x)="),
        ("出典", "Source\\\nnext", "adds hard line break"),
        (
            "出典",
            "Source [x]{#id style=color:red}",
            "adds span [('id', 'id'), ('style', 'color:red')]",
        ),
    ],
)
def test_markup_must_be_preserved(tmp_path: Path, msgid: str, msgstr: str, expected: str) -> None:
    path = write_catalog(tmp_path, entry(msgid, msgstr))
    found = [f for f in findings(path) if f.kind == "markup"]
    assert found, f"no finding for {msgstr!r}"
    assert expected in [f.message.removeprefix("msgstr ") for f in found]
    assert all(f.line == FIRST and f.blocking for f in found)


@pytest.mark.parametrize(
    ("msgstr", "expected"),
    [
        ("China <script>alert(1)</script>", "introduces HTML <script>"),
        ('China <img src=x onerror="alert(1)">', 'introduces HTML <img src=x onerror="alert(1)">'),
        (
            'China <iframe src="https://example.org"></iframe>',
            'introduces HTML <iframe src="https://example.org">',
        ),
        ("China <b>bold</b>", "introduces HTML <b>"),
        ("China {{ config }}", "introduces template syntax {{"),
        ("China {% if x %}", "introduces template syntax {%"),
        ("China &lt;b&gt;", "introduces HTML entity &lt;"),
        ("China &#x3C;script&#x3E;", "introduces HTML entity &#x3C;"),
        ("<div>China</div>", "introduces HTML <div>China</div>"),
    ],
)
def test_smuggled_markup_is_rejected(tmp_path: Path, msgstr: str, expected: str) -> None:
    path = write_catalog(tmp_path, entry("中国", msgstr))
    found = [f for f in findings(path) if f.kind == "smuggled-markup"]
    assert expected in [f.message.removeprefix("msgstr ") for f in found], [str(f) for f in found]
    assert all(f.line == FIRST and f.blocking for f in found)


def test_a_span_naming_the_original_language_is_allowed(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, entry("研究所の論考", "an analysis by [研究所]{.language-ja}"))
    assert findings(path) == []


def test_other_attributes_on_spans_are_not(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, entry("中国", "[China]{#x .danger}"))
    assert only(findings(path)).kind == "markup"


@pytest.mark.parametrize(
    ("msgstr", "expected"),
    [
        ("China \u202eanihC", "bidirectional control RIGHT-TO-LEFT OVERRIDE"),
        ("China \u2066x\u2069", "bidirectional control LEFT-TO-RIGHT ISOLATE"),
        ("Xi\u200bJinping", "invisible character ZERO WIDTH SPACE"),
        ("China\x00", "control character U+0000"),
        ("China\x1b[31m", "control character U+001B"),
        ("President Рutin", "mixes CYRILLIC and LATIN letters in 'Рutin'"),
    ],
)
def test_unicode_tricks_are_rejected(tmp_path: Path, msgstr: str, expected: str) -> None:
    path = write_catalog(tmp_path, entry("中国", msgstr))
    found = [f for f in findings(path) if f.kind == "unicode"]
    assert any(expected in f.message for f in found), [str(f) for f in findings(path)]
    assert all(f.line == FIRST and f.blocking for f in found)


def test_terms_of_the_glossary_must_be_used(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, entry("王毅氏が訪問した。", "Mr Wang visited."))
    found = only(findings(path))
    assert (found.kind, found.line) == ("terminology", FIRST)
    assert "'Wang Yi'" in found.message


def test_check_command_exits_non_zero_and_prints_file_and_line(tmp_path: Path) -> None:
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    write_catalog(locale, entry("中国", "China <script>alert(1)</script>"))
    code = (
        "import sys, pathlib; from book import catalogs, layout;"
        f"layout.LOCALE = pathlib.Path({str(tmp_path / 'locale')!r});"
        "sys.exit(catalogs.main(['check', 'en']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert f"{locale / 'page.po'}:{FIRST}: error: smuggled-markup:" in result.stdout


def test_a_refresh_gives_a_catalog_its_templates_lines_and_order(tmp_path: Path) -> None:
    """`make catalogs` after a page was edited around its messages (a line added above them):
    sphinx-intl leaves such a catalog as it was; the refresh gives it the template's source
    lines and order (the review page orders a page's messages by them), keeps translations
    and obsolete entries, and writes nothing when all is current."""
    page = "../../docs/page.md"
    template = tmp_path / "page.pot"
    template.write_text(
        HEADER.format(language="ja")
        + f'\n#: {page}\nmsgid "説明"\nmsgstr ""\n'
        + f'\n#: {page}:8\nmsgid "見出し"\nmsgstr ""\n'
        + f'\n#: {page}:10\nmsgid "本文"\nmsgstr ""\n',
        encoding="utf-8",
    )
    path = write_catalog(
        tmp_path,
        f"\n#: {page}:4\n"
        + entry("本文", "Text")
        + f"\n#: {page}:2\n"
        + entry("見出し", "Heading")
        + f"\n#: {page}\n"
        + entry("説明", "Description")
        + '\n#~ msgid "古い"\n#~ msgstr "Old"\n',
    )
    assert catalogs.refresh_locations(path, template) is True
    refreshed = polib.pofile(str(path))
    assert [(e.msgid, e.msgstr, e.occurrences) for e in refreshed if not e.obsolete] == [
        ("説明", "Description", [(page, "")]),
        ("見出し", "Heading", [(page, "8")]),
        ("本文", "Text", [(page, "10")]),
    ]
    assert [e.msgid for e in refreshed if e.obsolete] == ["古い"]
    text = path.read_text(encoding="utf-8")
    assert catalogs.refresh_locations(path, template) is False
    assert path.read_text(encoding="utf-8") == text
