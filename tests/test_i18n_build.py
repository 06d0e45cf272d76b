"""What a translation cannot do to a reader, whatever the catalog checks say: a copy of the
project is built with an untranslated, a fuzzy and a script-smuggling message, and a page with
a raw HTML block."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib
import pytest
from conftest import content_pages, copy_project, main_text, parse_html

PAGE = "chapters/china-position"
UNTRANSLATED = "中国は習近平訪ロについて検討しており、今後の動きが注目されます。"
FUZZY = "2023年2月、ロシアのウクライナ侵攻から1年が経過し、戦争は激化する一方です。"
SMUGGLING = "ロシアと中国の関係は、複雑で、今後どのように変化していくのか注目されます。"
SCRIPT = "<script>alert(1)</script>"


def sphinx_html(
    project: Path, language: str, **environment: str
) -> subprocess.CompletedProcess[str]:
    """The HTML edition of a copy of the project, into project/out, strictly, with nothing
    on PATH (the HTML needs no outside tool) and the given environment variables."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "html",
            "-n",
            "-W",
            "--keep-going",
            "-q",
            "-D",
            f"language={language}",
            str(project / "docs"),
            str(project / "out"),
        ],
        capture_output=True,
        text=True,
        env={"SOURCE_DATE_EPOCH": "1700000000", "PATH": "", **environment},
    )


@pytest.fixture(scope="module")
def tampered_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("project"))
    path = project / "locale" / "en" / "LC_MESSAGES" / f"{PAGE}.po"
    catalog = polib.pofile(str(path))
    catalog.find(UNTRANSLATED).msgstr = ""
    fuzzy = catalog.find(FUZZY)
    fuzzy.flags.append("fuzzy")
    fuzzy.msgstr = "A fuzzy translation that must not be published."
    catalog.find(SMUGGLING).msgstr = f"Russia and China {SCRIPT} are complex."
    catalog.save(str(path))
    result = sphinx_html(project, "en")
    assert result.returncode == 0, result.stderr
    return project / "out"


def test_untranslated_and_fuzzy_messages_fall_back_to_japanese_and_are_marked(
    tampered_edition: Path,
) -> None:
    page = parse_html(tampered_edition / f"{PAGE}.html")
    marked = [node.text_content() for node in page.xpath('//*[contains(@class, "untranslated")]')]
    assert UNTRANSLATED in marked
    assert FUZZY in marked
    assert "A fuzzy translation" not in main_text(page)


def test_html_in_a_translation_reaches_the_reader_as_text_only(tampered_edition: Path) -> None:
    source = (tampered_edition / f"{PAGE}.html").read_text(encoding="utf-8")
    page = parse_html(tampered_edition / f"{PAGE}.html")
    assert SCRIPT in main_text(page)  # shown, escaped, as the characters the translator typed
    assert page.xpath("//article//script") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source


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
        [sys.executable, str(project / "scripts" / "catalogs.py"), "add", "de"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
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
        [sys.executable, str(project / "scripts" / "languages.py")],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "locale/xx: no row [languages.xx] in languages.toml" in result.stderr
