"""textlint with Japanese presets (.textlintrc.yml) on the Japanese source: typography of the
book's text and of the original, without rewording the original."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import DOCS, ROOT, content_pages

TEXTLINT = ROOT / "node_modules" / ".bin" / "textlint"


def textlint(*files: Path) -> list[dict]:
    if not TEXTLINT.exists():
        pytest.fail(f"{TEXTLINT} is missing: `make test` installs it (npm ci)")
    result = subprocess.run(
        [str(TEXTLINT), "--format", "json", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return [
        {"file": Path(entry["filePath"]).name, "line": m["line"], "rule": m["ruleId"]}
        for entry in json.loads(result.stdout)
        for m in entry["messages"]
    ]


def test_the_japanese_source_passes_textlint() -> None:
    """Every page of the book (`make lint-prose` runs this test)."""
    pages = [DOCS / f"{doc}.md" for doc in content_pages()]
    # The article's pages (front page, chapters, sources) and the project's own (glossary,
    # timeline, about): everything a Japanese reader reads.
    assert {"index.md", "glossary.md", "timeline.md", "about.md"} <= {p.name for p in pages}
    assert textlint(*pages) == []


def test_textlint_finds_what_it_is_configured_to_find(tmp_path: Path) -> None:
    """The same configuration on a page with the slips it exists for."""
    sample = tmp_path / "sample.md"
    sample.write_text(
        "# 見本\n\nURL は本文に書きます。\n\n"
        "中国は、ロシアは、米国は、欧州は、日本は、韓国は、関係を見直した。\n",
        encoding="utf-8",
    )
    rules = {finding["rule"] for finding in textlint(sample)}
    assert "ja-spacing/ja-space-between-half-and-full-width" in rules
    assert "japanese/max-ten" in rules
