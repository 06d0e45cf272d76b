"""Where the site is published: the one setting behind canonical URLs, hreflang alternates,
OpenGraph, the sitemap and the 404 page. Imported, not run.

The first that is set wins:
  1. BOOK_BASE_URL, in the environment (e.g. https://books.example.org/xi-russia-2023/);
  2. READTHEDOCS_CANONICAL_URL, which Read the Docs sets for its builds (.readthedocs.yaml);
  3. [tool.book] base-url in pyproject.toml, the project's published address.
The site root (build/site/) is served at that address; each edition below it, at <tag>/.
"""

from __future__ import annotations

import os
import tomllib
from urllib.parse import urlsplit

from book import layout


def base_url() -> str:
    """The site root's absolute URL, ending in a slash."""
    url = os.environ.get("BOOK_BASE_URL") or os.environ.get("READTHEDOCS_CANONICAL_URL")
    if not url:
        pyproject = tomllib.loads((layout.PYPROJECT).read_text(encoding="utf-8"))
        url = pyproject["tool"]["book"]["base-url"]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the site's base URL {url!r} is not an absolute http(s) URL")
    return url.rstrip("/") + "/"


def base_path() -> str:
    """The path part of the base URL ("/" or "/ja/latest/"): absolute links of the 404 page."""
    return urlsplit(base_url()).path
