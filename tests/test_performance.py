"""The performance targets, each a row of the benchmark (src/book/bench.py), run here in its
quick mode (one run of each measurement) on this machine."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, worktree

pytestmark = pytest.mark.slow  # the benchmark builds the book three times over


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict:
    report = tmp_path_factory.mktemp("bench") / "bench.json"
    result = subprocess.run(
        worktree.command("bench", "--quick", "--json", str(report)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=2400,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(result.stdout)
    return json.loads(Path(report).read_text(encoding="utf-8"))


def rows(bench: dict) -> dict[str, dict]:
    return {row["name"]: row for row in bench["rows"]}


@pytest.mark.parametrize(
    "name",
    [
        "full / naive",
        "no-op / full",
        "edit loop (s)",
        "PDF bytes",
        "EPUB bytes",
        "chapter first load (bytes)",
        "lighthouse performance",
        "lighthouse accessibility",
        "lighthouse best-practices",
        "lighthouse seo",
    ],
)
def test_target_is_met(bench: dict, name: str) -> None:
    row = rows(bench)[name]
    assert row["target"].startswith("ok"), f"{name} = {row['value']}: {row['target']}"


def test_every_lighthouse_run_was_made(bench: dict) -> None:
    # The front page and a chapter, every language, mobile and desktop.
    assert len(bench["lighthouse"]) == 2 * 2 * len(bench["sizes"])


def test_a_no_op_build_rewrites_nothing(bench: dict) -> None:
    assert bench["samples"]["noop"]
    assert bench["edit"]["changed_files"] < bench["edit"]["total_files"] // 2
