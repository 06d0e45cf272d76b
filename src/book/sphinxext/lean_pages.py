"""Sphinx extension: a page loads only what the book uses.

- pygments.css (20 KB): the book has no code, so nothing is highlighted
  (highlight_language = "none" in conf.py);
- furo-extensions.css (5.5 KB): the theme's styles for other extensions (Read the Docs'
  flyout and ads, sphinx-design, sphinx-copybutton, sphinx-inline-tabs), none of which the
  book uses; its one general rule, the containers' zero padding, is in book.css;
- translations.js (5 KB): the strings of the search's own messages, needed by the search
  page alone.
Measured by src/book/bench.py (first-load weight of a chapter page).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

UNUSED_CSS = {"_static/pygments.css", "_static/styles/furo-extensions.css"}
SEARCH_ONLY_JS = {"_static/translations.js"}


def _filename(asset: Any) -> str:
    return getattr(asset, "filename", str(asset)).split("?")[0]


def _drop_unused_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if app.builder.name not in {"html", "dirhtml"}:
        return
    context["css_files"] = [
        c for c in context.get("css_files", []) if _filename(c) not in UNUSED_CSS
    ]
    if pagename != "search":
        context["script_files"] = [
            s for s in context.get("script_files", []) if _filename(s) not in SEARCH_ONLY_JS
        ]


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("html-page-context", _drop_unused_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
