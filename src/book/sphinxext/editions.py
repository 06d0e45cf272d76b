"""Sphinx extension: what makes one book of several language editions.

- Every HTML page learns its siblings: the same page in the other published languages (the
  language switcher in the sidebar, docs/_templates/sidebar/editions.html) and `hreflang`
  alternates in its head; and the downloads of its own language (EPUB, PDF).
- The `lang` attribute is spelled as HTML wants it (zh-CN, not Sphinx's zh_CN).
- Sphinx's translation marks stay off <meta> elements, where they are invalid HTML.
- Raw HTML never reaches the output: a translation (or a page) that contains some fails the
  build with its file and line. MyST's HTML syntax is also switched off in conf.py, so this
  is the guard behind the guard.

The published tree is build/site/<tag>/ per language and build/site/downloads/ (see
src/book/build.py), so links between editions are relative: ../<tag>/<page>.html.
"""

from __future__ import annotations

import html
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from book import editions, languages, layout, site_url

logger = logging.getLogger(__name__)
HTML_BUILDERS = {"html", "dirhtml"}


class RejectRawHTML(SphinxTransform):
    """Remove raw HTML/LaTeX passthrough and report it as an error at its source line."""

    default_priority = 900  # after the i18n transform (20) has put translations in place

    def apply(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.raw)):
            logger.error(
                "raw %s is not allowed in the book (a translation or a page carries markup "
                "that would reach readers unescaped): %r",
                node.get("format", "?"),
                node.astext()[:80],
                location=node,
                type="book",
                subtype="raw",
            )
            node.parent.remove(node)


class UnmarkTranslatedMeta(SphinxPostTransform):
    """Keep Sphinx's translation marks off <meta> elements.

    The i18n transform flags a translated node with a `translated` attribute (and, with
    translation_progress_classes, a class); for a <meta name="description"> from the page's
    front matter the HTML writer copies that flag into the element, which HTML and EPUB
    validators reject (epubcheck RSC-005: attribute "translated" not allowed here).
    """

    default_priority = 999

    def run(self, **kwargs: Any) -> None:
        for node in self.document.findall(nodes.meta):
            node.attributes.pop("translated", None)
            node["classes"] = [
                c for c in node["classes"] if c not in {"translated", "untranslated"}
            ]


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if app.builder.name not in HTML_BUILDERS:
        return
    current = languages.get(app.config.language)
    # The site root, from this page: relative, except on the 404 page, which a host serves
    # at any address and whose links are therefore absolute paths (sphinx-notfound-page).
    if pagename == getattr(app.config, "notfound_pagename", None):
        up = site_url.base_path()
    else:
        up = "../" * (pagename.count("/") + 1)
    # The alternates are absolute (the site's base URL, src/book/site_url.py), as search
    # engines want them.
    base = site_url.base_url()
    siblings = []
    alternates = []
    for language in languages.published_languages():
        url = f"{up}{language.tag}/{pagename}.html"
        absolute = f"{base}{language.tag}/{pagename}.html"
        siblings.append(
            {
                "tag": language.tag,
                "lang": language.html_lang,
                "native_name": language.native_name,
                "url": url,
                "current": language.tag == current.tag,
            }
        )
        alternates.append(
            f'<link rel="alternate" hreflang="{language.html_lang}" href="{html.escape(absolute)}">'
        )
    context["language"] = current.html_lang
    context["book_editions"] = siblings
    context["book_downloads"] = [
        {
            "format": edition.fmt.upper(),
            "url": up + edition.published.relative_to(layout.SITE).as_posix(),
            "vertical": bool(edition.variant),
        }
        for edition in editions.downloads(current)
    ]
    context["metatags"] = context.get("metatags", "") + "\n" + "\n".join(alternates)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_transform(RejectRawHTML)
    app.add_post_transform(UnmarkTranslatedMeta)
    app.connect("html-page-context", _page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
