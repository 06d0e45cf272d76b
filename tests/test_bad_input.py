"""The bad-input matrix (README, "Bad input"): for each kind of broken input, the build of a
copy of the project exits non-zero, says what is wrong and where, and leaves every edition
that was published before exactly as it was."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from conftest import ROOT, checksums, copy_project, worktree

pytestmark = pytest.mark.slow  # builds copies of the project with broken inputs

SOURCE_DATE_EPOCH = "1700000000"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project with a published site: the real one, copied, stands in for it."""
    copy = copy_project(tmp_path / "project")
    shutil.copytree(ROOT / "build" / "site", copy / "build" / "site")
    return copy


def build(project: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = worktree.environment(project, {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        worktree.command("build", *args),
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def assert_refused(
    project: Path, result: subprocess.CompletedProcess[str], *expected: str, code: int = 1
) -> None:
    before = checksums(ROOT / "build" / "site")
    assert result.returncode == code, result.stdout + result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert checksums(project / "build" / "site") == before


def edit_catalog(project: Path, name: str, change) -> Path:
    path = project / "locale" / "en" / "LC_MESSAGES" / f"{name}.po"
    catalog = polib.pofile(str(path))
    change(catalog)
    catalog.save(str(path))
    return path


def line_of(path: Path, msgid: str) -> int:
    return polib.pofile(str(path)).find(msgid).linenum


def test_po_file_with_broken_syntax(project: Path) -> None:
    path = project / "locale" / "en" / "LC_MESSAGES" / "index.po"
    text = path.read_text(encoding="utf-8").replace('msgstr "Contents"', 'msgstr "Contents')
    path.write_text(text, encoding="utf-8")
    broken = text.splitlines().index('msgstr "Contents') + 1
    result = build(project, "html", "--lang", "en")
    assert_refused(project, result, f"locale/en/LC_MESSAGES/index.po:{broken + 1}: error: msgfmt")


def test_po_file_with_only_fuzzy_entries(project: Path) -> None:
    def all_fuzzy(catalog: polib.POFile) -> None:
        for entry in catalog:
            entry.flags.append("fuzzy")

    path = edit_catalog(project, "sources", all_fuzzy)
    result = build(project, "html", "--lang", "en")
    assert_refused(
        project, result, f"{path.relative_to(project)}:{line_of(path, '出典')}: error: fuzzy"
    )


MARKUP_CASES = {
    "missing link target": (
        "sources",
        "**URL**：<https://www.bbc.com/japanese/64998175>",
        "**URL**: the BBC page",
        "msgstr lacks link to https://www.bbc.com/japanese/64998175",
    ),
    "unbalanced emphasis": (
        "sources",
        "**公開日**：2023年3月18日",
        "**Published: 18 March 2023",
        "msgstr lacks strong",
    ),
    # msgfmt sees this one first: babel marks {ref} messages python-brace-format.
    "wrong role": (
        "sources",
        "**本書での引用**：{ref}`china-position`",
        "**Cited in**: {doc}`china-position`",
        "a format specification for argument 'doc' doesn't exist in 'msgid'",
    ),
    "smuggled HTML": (
        "index",
        "目次",
        "Contents <script>alert(1)</script>",
        "smuggled-markup: msgstr introduces HTML <script>",
    ),
    "template syntax": (
        "index",
        "目次",
        "Contents {{ config.copyright }}",
        "smuggled-markup: msgstr introduces template syntax {{",
    ),
    "changed year": (
        "sources",
        "**公開日**：2023年3月18日",
        "**Published**: 18 March 2024",
        "facts: the msgid has the date 2023-03-18; the msgstr has the date 2024-03-18 instead",
    ),
    "changed day of the month": (
        "chapters/china-position",
        "中国は、外交トップの王毅氏がヨーロッパとロシアを歴訪し、24日に"
        "「ウクライナ危機を政治的に解決することに関する中国の立場」を発表するなど、"
        "存在感を示し始めました。",
        "China has begun to make its presence felt: on the 25th it published "
        "“China's Position on the Political Settlement of the Ukraine Crisis”, "
        "after Wang Yi toured Europe and Russia.",
        "facts: the msgid has the day 24; the msgstr has the day 25 instead",
    ),
    "image from another host": (
        "index",
        "目次",
        "Contents ![](https://tracker.example/pixel.png)",
        "markup: msgstr adds image https://tracker.example/pixel.png",
    ),
    "bidirectional control": (
        "index",
        "目次",
        "Contents \u202e",
        "unicode: msgstr has the bidirectional control RIGHT-TO-LEFT OVERRIDE",
    ),
}


@pytest.mark.parametrize("case", MARKUP_CASES)
def test_msgstr_that_breaks_or_smuggles_markup(project: Path, case: str) -> None:
    name, msgid, msgstr, message = MARKUP_CASES[case]

    def change(catalog: polib.POFile) -> None:
        catalog.find(msgid).msgstr = msgstr

    path = edit_catalog(project, name, change)
    result = build(project, "html", "--lang", "en")
    assert_refused(project, result, message)
    # The finding names the entry's file and line (polib's, or msgfmt's a few lines below).
    entry_line = line_of(path, msgid)
    lines = re.findall(rf"{re.escape(str(path.relative_to(project)))}:(\d+): error:", result.stderr)
    assert any(entry_line <= int(n) <= entry_line + 4 for n in lines), result.stderr


def test_unknown_language_code(project: Path) -> None:
    result = build(project, "html", "--lang", "xx")
    assert_refused(project, result, "unknown language 'xx'", code=2)


def test_malformed_language_folder(project: Path) -> None:
    (project / "locale" / "EN-us" / "LC_MESSAGES").mkdir(parents=True)
    result = build(project, "html")
    assert_refused(project, result, "locale/EN-us: malformed language tag", code=2)


def test_language_folder_without_a_typesetting_row(project: Path) -> None:
    (project / "locale" / "de" / "LC_MESSAGES").mkdir(parents=True)
    result = build(project, "html")
    assert_refused(project, result, "locale/de: no row [languages.de] in languages.toml", code=2)


def append_to_chapter(project: Path, text: str) -> tuple[str, int]:
    page = project / "docs" / "chapters" / "china-position.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    page.write_text("\n".join([*lines, "", text, ""]), encoding="utf-8")
    return "docs/chapters/china-position.md", len(lines) + 2


def test_broken_cross_reference(project: Path) -> None:
    page, line = append_to_chapter(project, "{ref}`nowhere`")
    result = build(project, "html", "--lang", "ja")
    assert_refused(project, result, f"{page}:{line}: WARNING: undefined label: 'nowhere'")


def test_unknown_colophon_value(project: Path) -> None:
    page, line = append_to_chapter(project, "{colophon}`nosuchkey`")
    result = build(project, "html", "--lang", "ja")
    assert_refused(
        project,
        result,
        f"{page}:{line}: ERROR: {{colophon}}`nosuchkey`: no such value of the colophon",
    )


def test_unknown_directive(project: Path) -> None:
    page, line = append_to_chapter(project, "```{nosuchdirective}\ntext\n```")
    result = build(project, "html", "--lang", "ja")
    assert_refused(project, result, f"{page}:{line}:", "Unknown directive type: 'nosuchdirective'")


def test_empty_chapter_file(project: Path) -> None:
    (project / "docs" / "chapters" / "china-position.md").write_text("", encoding="utf-8")
    result = build(project, "html", "--lang", "ja")
    assert_refused(project, result, "docs/chapters/china-position.md:1: the page is empty")


def test_tex_live_missing(project: Path, tmp_path: Path) -> None:
    # A PATH with the catalog checker (msgfmt) and no TeX Live at all.
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "msgfmt").symlink_to(shutil.which("msgfmt"))
    result = build(project, "pdf", "--lang", "ja", path=str(tools))
    assert_refused(
        project, result, "`latexmk` is not installed", "texlive-luatex", "texlive-lang-japanese"
    )


def test_required_font_missing(project: Path) -> None:
    table = project / "languages.toml"
    table.write_text(
        table.read_text(encoding="utf-8").replace(
            "\\setmainjfont{NotoSerifCJK-Regular.ttc}", "\\setmainjfont{NotoSerifCJK-Missing.ttc}"
        ),
        encoding="utf-8",
    )
    result = build(project, "pdf", "--lang", "ja")
    assert_refused(project, result, "the font 'NotoSerifCJK-Missing' is missing", "fonts-noto-cjk")


def test_social_card_font_missing(project: Path) -> None:
    table = project / "languages.toml"
    table.write_text(
        table.read_text(encoding="utf-8").replace(
            'card_font = "NotoSansCJK-Bold.ttc:0"', 'card_font = "NotoSansCJK-Missing.ttc:0"'
        ),
        encoding="utf-8",
    )
    result = build(project, "html", "--lang", "ja")
    assert_refused(project, result, "NotoSansCJK-Missing.ttc", "fonts-noto-cjk")
