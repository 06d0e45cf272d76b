"""The project's own settings, read from pyproject.toml: its version and its [tool.book] table
(the book's slug, the address it is published at)."""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from book import layout


@cache
def _pyproject() -> dict[str, Any]:
    return tomllib.loads(layout.PYPROJECT.read_text(encoding="utf-8"))


def version() -> str:
    return _pyproject()["project"]["version"]


def setting(name: str) -> str:
    """A key of [tool.book]."""
    return _pyproject()["tool"]["book"][name]
