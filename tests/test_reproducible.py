"""Reproducible editions and builds that survive being killed: two clean builds of the same
tree, in two folders, give the same bytes in every file of the site, every EPUB and every
PDF; a build killed midway and run again gives them too."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from conftest import checksums, content_pages, copy_project, worktree

from book import editions

pytestmark = pytest.mark.slow  # two clean builds of the whole book, and a killed one


def epoch() -> str:
    return worktree.source_date_epoch()


def build(project: Path, *args: str) -> None:
    result = subprocess.run(
        worktree.command("build", *args),
        cwd=project,
        capture_output=True,
        text=True,
        env=worktree.environment(project, {**os.environ, "SOURCE_DATE_EPOCH": epoch()}),
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def clean_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first = copy_project(tmp_path_factory.mktemp("first"))
    second = copy_project(tmp_path_factory.mktemp("second"))
    build(first)
    build(second)
    return first / "build" / "site", second / "build" / "site"


def test_two_clean_builds_are_byte_identical(clean_builds: tuple[Path, Path]) -> None:
    first, second = (checksums(site) for site in clean_builds)
    assert len(first) > 90  # HTML of three languages, three EPUBs, three PDFs, the site pages
    assert sorted(first) == sorted(second)
    assert [path for path in first if first[path] != second[path]] == []


def test_checksums_file_verifies_the_downloads(clean_builds: tuple[Path, Path]) -> None:
    downloads = clean_builds[0] / "downloads"
    result = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"],
        cwd=downloads,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    downloads_count = len([*downloads.glob("*.epub"), *downloads.glob("*.pdf")])
    assert result.stdout.count(": OK") == downloads_count


def test_a_killed_build_run_again_gives_the_same_edition(
    clean_builds: tuple[Path, Path], tmp_path: Path
) -> None:
    project = copy_project(tmp_path / "killed")
    process = subprocess.Popen(
        worktree.command("build", "--lang", "ja"),
        cwd=project,
        env=worktree.environment(project, {**os.environ, "SOURCE_DATE_EPOCH": epoch()}),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    latex = project / "build" / "work" / "ja" / "latex"
    deadline = time.monotonic() + 120
    while not list(latex.glob("*.aux")) and time.monotonic() < deadline:  # LaTeX is running
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (project / "build" / "site" / "downloads" / "xi-russia-2023-ja.pdf").exists()
    build(project, "--lang", "ja")
    killed = checksums(project / "build" / "site")
    clean = checksums(clean_builds[0])
    ja_files = [p for p in killed if p.startswith("ja/") or "-ja." in p]
    assert len(ja_files) > 20
    assert [p for p in ja_files if killed[p] != clean[p]] == []


# Appended to a copy's extension: a change of the book's code that changes every paragraph of
# every format's output (a post-transform, which runs when a page is written).
CODE_CHANGE = """

_setup_before_the_change = setup


def setup(app):
    from docutils import nodes
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class CodeChangeMarker(SphinxPostTransform):
        default_priority = 999

        def run(self, **kwargs):
            for node in self.document.findall(nodes.paragraph):
                node["classes"].append("code-change-marker")

    app.add_post_transform(CodeChangeMarker)
    return _setup_before_the_change(app)
"""


def test_a_code_change_reaches_every_page_of_every_format(tmp_path: Path) -> None:
    """A language's builders share one doctree cache (book.build): after a change of the
    book's code, the first builder re-reads the pages, and the HTML and EPUB builders must
    still write every page again, not keep the ones written before the change."""
    project = copy_project(tmp_path / "code-change")
    build(project, "--lang", "en")
    extension = project / "src" / "book" / "sphinxext" / "html_fixes.py"
    extension.write_text(extension.read_text(encoding="utf-8") + CODE_CHANGE, encoding="utf-8")
    build(project, "--lang", "en")
    site = project / "build" / "site"
    pages = [site / "en" / f"{doc}.html" for doc in content_pages()]
    assert [p.name for p in pages if "code-change-marker" not in p.read_text("utf-8")] == []
    with zipfile.ZipFile(site / "downloads" / f"{editions.SLUG}-en.epub") as book:
        chapters = [n for n in book.namelist() if n.endswith(".xhtml") and "chapters/" in n]
        stale = [n for n in chapters if b"code-change-marker" not in book.read(n)]
    assert chapters and stale == []
