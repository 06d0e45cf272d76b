"""Fuzzing the door: hostile translations, generated with Hypothesis, against the catalog
checks and the build.

Each generated msgstr (a real English message with MyST, HTML and template syntax, Unicode
tricks, broken encodings or very long runs worked into it) is written into a catalog and
checked as `make check-catalogs` checks it. It must be refused, naming the file and the line,
or else be inert: the messages that pass are built into the English edition by Sphinx, and
their page may have no element, attribute or web address that the Japanese page lacks.

Seeded (derandomize) and bounded: BOOK_FUZZ_EXAMPLES examples (default 300, a few seconds);
`make fuzz` runs 5,000. The counts are printed: tried, refused, inert, leaked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from conftest import ROOT, copy_project, languages, parse_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from book import catalogs, layout

pytestmark = pytest.mark.slow  # builds the generated messages that pass the checks


EXAMPLES = int(os.environ.get("BOOK_FUZZ_EXAMPLES", "300"))
PAGE = "chapters/china-position"
CATALOG = ROOT / "locale" / "en" / "LC_MESSAGES" / f"{PAGE}.po"
EVIL = "https://evil.example"
ATOMS = [
    # MyST and CommonMark constructs, every syntax of links and images
    f"![x]({EVIL}/p.png)", f"![x][r]\n\n[r]: {EVIL}/p.png", f"[a]({EVIL})",
    f"[a][r]\n\n[r]: {EVIL}",
    f"<{EVIL}/a>", f"{EVIL}/bare", "www.evil.example", "evil.example", "<mailto:a@evil.example>",
    "{ref}`x <source-bbc>`", "{ref}`china-position`", "{math}`x^2`", f"{{download}}`f <{EVIL}/f>`",
    "{doc}`index`", "{abbr}`A (b)`", "[^1]", "[^1]\n\n[^1]: note", "`code`", "**", "*", "_x_",
    "\n\n```{raw} html\n<b>x</b>\n```\n", f"\n\n```{{image}} {EVIL}/p.png\n```\n",
    "\n\n:::{note}\nx\n:::\n", "\n# ", "\n- ", "\n1. ", "\n> ", "\n% comment", "(t)=\n", "+++",
    "\\\n", "[x]{.language-ja}", "[x]{#id onclick=alert(1)}", "[x]{.cls}", "{.cls}", "$x$",
    "$$\nx\n$$", "---", "| a | b |\n|---|---|",
    # HTML and template syntax
    "<script>alert(1)</script>", f"<img src={EVIL}/p.png>", f'<iframe src="{EVIL}">', "<b>x</b>",
    "<!-- x -->", "&lt;", "&#60;", "&#x3C;", "&amp;", "{{ config }}", "{% if x %}", "{# x #}",
    # Unicode tricks
    "\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200d", "\u2060", "\ufeff", "\x00",
    "\x1b[31m", "\u00ad", "bbс.com", "xn--bbc-qpa.com", "Xi\u200bJinping", "Рutin",
    # numbers and dates
    "2024", "25th", "March", "one year", "1", "40%",
]  # fmt: skip
text_pieces = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
fragment = st.one_of(st.sampled_from(ATOMS), text_pieces, st.just("a" * 3000))


def messages() -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(CATALOG)) if e.translated() and not e.obsolete]


@st.composite
def hostile(draw: st.DrawFn) -> tuple[int, str, bytes | None]:
    """(message index, msgstr, broken bytes to put inside it or None)."""
    index = draw(st.integers(0, len(messages()) - 1))
    text = messages()[index].msgstr
    for piece in draw(st.lists(fragment, min_size=1, max_size=4)):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + piece + text[at:]
    broken = draw(st.one_of(st.none(), st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])))
    return index, text, broken


def write_one(folder: Path, entry: polib.POEntry, broken: bytes | None) -> tuple[Path, int]:
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = polib.pofile(str(CATALOG)).metadata
    catalog.append(entry)
    path = folder / "page.po"
    catalog.save(str(path))
    line = polib.pofile(str(path)).find(entry.msgid).linenum
    if broken:
        head, keyword, tail = path.read_bytes().rpartition(b'msgstr "')  # the entry's msgstr
        path.write_bytes(head + keyword + broken + tail)
    return path, line


def refused(path: Path, line: int) -> bool:
    found = [f for f in catalogs.check_catalog(path, languages.get("en")) if f.blocking]
    named = [f for f in found if f.path == layout.relative(path) and f.line >= 1]
    # The entry's first line, or the msgstr's a line or two below it (msgfmt, the encoding).
    return any(line <= f.line <= line + 4 for f in named)


def page_inventory(page: Path) -> tuple[set[str], set[str], set[str]]:
    """Elements, attributes and outside addresses of a page's article."""
    (article,) = parse_html(page).xpath('//article[@role="main"]')
    # The control that shows the Japanese original (book_original) belongs to every translated
    # page, whatever its messages say: it is no construct of a message.
    for control in article.xpath('//*[contains(@class, "book-original-control")]'):
        control.drop_tree()
    elements, attributes, addresses = set(), set(), set()
    for node in article.iter():
        if not isinstance(node.tag, str):
            continue
        elements.add(node.tag)
        for name, value in node.attrib.items():
            attributes.add(name)
            if "//" in value or value.startswith(("mailto:", "data:", "javascript:")):
                addresses.add(value)
    return elements, attributes, addresses


def test_hostile_translations_are_refused_or_inert(tmp_path_factory) -> None:
    counts = {"tried": 0, "refused": 0, "inert": 0, "leaked": 0}
    accepted: dict[int, str] = {}
    folder = tmp_path_factory.mktemp("catalog")

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(hostile())
    def check(example: tuple[int, str, bytes | None]) -> None:
        index, msgstr, broken = example
        original = messages()[index]
        entry = polib.POEntry(msgid=original.msgid, msgstr=msgstr)
        path, line = write_one(folder, entry, broken)
        counts["tried"] += 1
        if refused(path, line):
            counts["refused"] += 1
        else:
            accepted.setdefault(index, msgstr)

    check()
    # What passed the checks is built by Sphinx alone, one passing message per entry.
    if accepted:
        project = copy_project(tmp_path_factory.mktemp("project"))
        path = project / "locale" / "en" / "LC_MESSAGES" / f"{PAGE}.po"
        catalog = polib.pofile(str(path))
        entries = messages()
        for index, msgstr in accepted.items():
            catalog.find(entries[index].msgid).msgstr = msgstr
        catalog.save(str(path))
        out = project / "out"
        result = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-D", "language=en",
             str(project / "docs"), str(out)],
            capture_output=True, text=True, env={"SOURCE_DATE_EPOCH": "1700000000", "PATH": ""},
        )  # fmt: skip
        assert (out / f"{PAGE}.html").exists(), result.stderr
        japanese = page_inventory(ROOT / "build" / "site" / "ja" / f"{PAGE}.html")
        built = page_inventory(out / f"{PAGE}.html")
        extra = [sorted(b - j) for b, j in zip(built, japanese, strict=True)]
        leaked = any(extra)
        counts["leaked"] = len(accepted) if leaked else 0
        counts["inert"] = len(accepted) - counts["leaked"]
        shutil.rmtree(project, ignore_errors=True)
        assert not leaked, f"elements, attributes, addresses the Japanese page lacks: {extra}"
    print(
        f"\nfuzz: {counts['tried']} tried, {counts['refused']} refused, "
        f"{counts['tried'] - counts['refused']} passed the checks ({len(accepted)} distinct "
        f"messages built: {counts['inert']} inert, {counts['leaked']} leaked)"
    )
    assert counts["tried"] == EXAMPLES
    assert counts["refused"] > 0


def test_a_built_page_with_a_leak_is_seen(tmp_path: Path) -> None:
    """The inventory comparison would notice a leak: a page with an image does differ."""
    page = tmp_path / "page.html"
    source = (ROOT / "build" / "site" / "ja" / f"{PAGE}.html").read_text(encoding="utf-8")
    page.write_text(source.replace("</h1>", f'</h1><img src="{EVIL}/p.png" alt="">', 1))
    japanese = page_inventory(ROOT / "build" / "site" / "ja" / f"{PAGE}.html")
    built = page_inventory(page)
    assert "img" in built[0] - japanese[0]
    assert f"{EVIL}/p.png" in built[2] - japanese[2]
    assert lxml_html is not None
