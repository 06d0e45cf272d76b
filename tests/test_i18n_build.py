"""What a translation cannot do to a reader, whatever the catalog checks say: a copy of the
project is built by Sphinx alone (no `make check-catalogs`, no book.build) with an
untranslated, a fuzzy, a script-smuggling, a tracking-pixel and a date-changing message, and
a page with a raw HTML block."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib
import pytest
from conftest import content_pages, copy_project, main_text, parse_html

from book import strict_sphinx, worktree

PAGE = "chapters/china-position"
UNTRANSLATED = "中国は習近平訪ロについて検討しており、今後の動きが注目されます。"
FUZZY = "2023年2月、ロシアのウクライナ侵攻から1年が経過し、戦争は激化する一方です。"
SMUGGLING = "ロシアと中国の関係は、複雑で、今後どのように変化していくのか注目されます。"
SCRIPT = "<script>alert(1)</script>"
PIXEL_MSGID = (
    "ロシアは中国を味方に引き入れたいと考えており、"
    "プーチン大統領は王毅氏との会見で、習近平主席のモスクワ訪問を要請しました。"
)
PIXEL = "![](https://tracker.example/pixel.png)"
DATE_MSGID = (
    "中国は、外交トップの王毅氏がヨーロッパとロシアを歴訪し、24日に"
    "「ウクライナ危機を政治的に解決することに関する中国の立場」を発表するなど、存在感を示し始めました。"
)

pytestmark = pytest.mark.slow  # Sphinx builds of copies of the project


def sphinx_html(
    project: Path, language: str, **environment: str
) -> subprocess.CompletedProcess[str]:
    """The HTML edition of a copy of the project, into project/out, strictly, with nothing
    on PATH (the HTML needs no outside tool) and the given environment variables."""
    return subprocess.run(
        strict_sphinx.command("html", project / "out", language=language, docs=project / "docs"),
        capture_output=True,
        text=True,
        env=worktree.environment(
            project, {"SOURCE_DATE_EPOCH": "1700000000", "PATH": "", **environment}
        ),
    )


@pytest.fixture(scope="module")
def tampered_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path, polib.POFile]:
    project = copy_project(tmp_path_factory.mktemp("project"))
    path = project / "locale" / "en" / "LC_MESSAGES" / f"{PAGE}.po"
    catalog = polib.pofile(str(path))
    catalog.find(UNTRANSLATED).msgstr = ""
    fuzzy = catalog.find(FUZZY)
    fuzzy.flags.append("fuzzy")
    fuzzy.msgstr = "A fuzzy translation that must not be published."
    catalog.find(SMUGGLING).msgstr = f"Russia and China {SCRIPT} are complex."
    catalog.find(PIXEL_MSGID).msgstr += f" {PIXEL}"
    catalog.find(DATE_MSGID).msgstr = catalog.find(DATE_MSGID).msgstr.replace("24th", "25th")
    catalog.save(str(path))
    return sphinx_html(project, "en"), project / "out", polib.pofile(str(path))


@pytest.fixture(scope="module")
def tampered_edition(tampered_build) -> Path:
    return tampered_build[1]


def test_the_build_itself_refuses_bad_messages_naming_file_and_line(tampered_build) -> None:
    result, _out, catalog = tampered_build
    assert result.returncode != 0
    po = f"locale/en/LC_MESSAGES/{PAGE}.po"
    for msgid, kind in (
        (SMUGGLING, "smuggled-markup: msgstr introduces HTML <script>"),
        (PIXEL_MSGID, "markup: msgstr adds image https://tracker.example/pixel.png"),
        (DATE_MSGID, "facts: the msgid has the day 24; the msgstr has the day 25 instead"),
    ):
        assert f"{po}:{catalog.find(msgid).linenum}: ERROR: {kind}" in result.stderr, result.stderr


def test_a_refused_message_reaches_the_reader_as_the_japanese_original(
    tampered_edition: Path,
) -> None:
    page = parse_html(tampered_edition / f"{PAGE}.html")
    text = main_text(page)
    for msgid in (SMUGGLING, PIXEL_MSGID, DATE_MSGID):
        assert msgid in text
    assert "25th" not in text and "alert(1)" not in text
    # Nothing that makes the browser fetch another host: no image, no foreign address.
    assert page.xpath("//img") == []
    source = (tampered_edition / f"{PAGE}.html").read_text(encoding="utf-8")
    assert "tracker.example" not in source


def test_untranslated_and_fuzzy_messages_fall_back_to_japanese_and_are_marked(
    tampered_edition: Path,
) -> None:
    page = parse_html(tampered_edition / f"{PAGE}.html")
    marked = [node.text_content() for node in page.xpath('//*[contains(@class, "untranslated")]')]
    assert UNTRANSLATED in marked
    assert FUZZY in marked
    assert "A fuzzy translation" not in main_text(page)


def test_html_in_a_translation_never_reaches_the_reader(tampered_edition: Path) -> None:
    source = (tampered_edition / f"{PAGE}.html").read_text(encoding="utf-8")
    page = parse_html(tampered_edition / f"{PAGE}.html")
    assert page.xpath("//article//script") == []
    assert "alert(1)" not in source


def test_raw_html_in_a_page_fails_the_build_naming_file_and_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    page = project / "docs" / f"{PAGE}.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    page.write_text("\n".join([*lines, "", "```{raw} html", SCRIPT, "```", ""]), encoding="utf-8")
    result = sphinx_html(project, "ja")
    assert result.returncode != 0
    assert f"{PAGE}.md:{len(lines) + 2}" in result.stderr
    assert "raw html is not allowed" in result.stderr
    built = project / "out" / f"{PAGE}.html"
    assert not built.exists() or SCRIPT not in built.read_text(encoding="utf-8")


def test_one_command_adds_a_language_that_is_then_built_and_offered(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    table = project / "languages.toml"
    table.write_text(
        table.read_text(encoding="utf-8")
        + '\n[languages.de]\nname = "German"\nnative_name = "Deutsch"\nauthor = "Projekt"\n',
        encoding="utf-8",
    )
    env = {"PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "1700000000"}
    added = subprocess.run(
        worktree.command("catalogs", "add", "de"),
        cwd=project,
        capture_output=True,
        text=True,
        env=worktree.environment(project, env),
    )
    assert added.returncode == 0, added.stderr
    catalogs_made = sorted(
        p.relative_to(project / "locale" / "de" / "LC_MESSAGES").as_posix()
        for p in (project / "locale" / "de").rglob("*.po")
    )
    # One catalog per page of the source (docs/**/*.md), and the theme's labels.
    assert catalogs_made == sorted([f"{doc}.po" for doc in content_pages()] + ["sphinx.po"])
    # Not yet translated: the German edition is the Japanese text, offered under its name.
    result = sphinx_html(project, "de")
    assert result.returncode == 0, result.stderr
    page = parse_html(project / "out" / "index.html")
    assert "Deutsch" in page.xpath('//ul[@class="book-languages"]//text()')
    assert page.get("lang") == "de"


def test_a_language_folder_without_a_row_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "locale" / "xx" / "LC_MESSAGES").mkdir(parents=True)
    result = subprocess.run(
        worktree.command("languages"),
        env=worktree.environment(project),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "locale/xx: no row [languages.xx] in languages.toml" in result.stderr


def test_a_foreign_address_is_removed_even_if_the_message_checks_missed_it(
    tmp_path: Path,
) -> None:
    """The guard behind the guard (catalog_guard.NoForeignAddresses): with the message checks
    switched off, as if they had a gap, the built page still has no image and no link that
    the Japanese source lacks, and the build fails naming the page."""
    project = copy_project(tmp_path)
    path = project / "locale" / "en" / "LC_MESSAGES" / f"{PAGE}.po"
    catalog = polib.pofile(str(path))
    catalog.find(PIXEL_MSGID).msgstr += f" {PIXEL} [more](https://tracker.example/more)"
    catalog.save(str(path))
    code = (
        "import sys; from book import translations;"
        "translations.message_findings = lambda *args: [];"
        "from sphinx.cmd.build import main; sys.exit(main(sys.argv[1:]))"
    )
    args = strict_sphinx.arguments("html", project / "out", language="en", docs=project / "docs")
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=worktree.environment(project, {"SOURCE_DATE_EPOCH": "1700000000", "PATH": ""}),
    )
    assert result.returncode != 0
    assert f"{PAGE}.md" in result.stderr
    assert "has an image (https://tracker.example/pixel.png)" in result.stderr
    assert "has a link to https://tracker.example/more" in result.stderr
    built = (project / "out" / f"{PAGE}.html").read_text(encoding="utf-8")
    assert "tracker.example" not in built and "<img" not in built
    assert "more" in main_text(parse_html(project / "out" / f"{PAGE}.html"))
