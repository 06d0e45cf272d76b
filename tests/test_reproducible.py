"""Reproducible editions and builds that survive being killed: two clean builds of the same
tree, in two folders, give the same bytes in every file of the site, every EPUB and every
PDF; a build killed midway and run again gives them too."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import checksums, copy_project, worktree

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
