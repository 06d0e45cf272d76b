"""The Python code of the project passes ruff (the rules are in pyproject.toml)."""

import subprocess
import sys

from conftest import ROOT

PATHS = ["scripts", "tests", "docs/conf.py", "src/book/sphinxext/"]


def test_ruff_check() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *PATHS], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_ruff_format() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", *PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
