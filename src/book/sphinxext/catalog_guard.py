"""Sphinx extension: the build itself refuses a translation that fails the checks of a message.

`make check-catalogs` and src/book/build.py check the catalogs before Sphinx runs; this is the
same check inside Sphinx, so that a bad message never reaches a reader even when those are
skipped (a plain `sphinx-build -D language=en`, a host that builds on its own):

- before Sphinx's i18n transform (priority 20) puts the translations in place, every entry of
  the page's catalog is checked (src/book/catalogs.py `message_findings`: markup, Unicode,
  terminology, facts). A failing entry is an error naming the PO file and line, and it is taken
  out of the catalog Sphinx loaded: the reader gets the Japanese original, as for an
  untranslated message. The theme's labels (sphinx.po) are checked and withdrawn alike;
- after the translations, the page may link to no web address and show no image that the
  Japanese source does not have (docs/**/*.md): a page never makes a reader's browser
  request another host because of a translation.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import polib
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain

from book import languages, layout, translations

logger = logging.getLogger(__name__)
SOURCE_URL = re.compile(r"""(?:https?|ftp|mailto):[^\s<>()"'`\]]+""")


def _refused(app: Sphinx, path: Path) -> set[str]:
    """The msgids of a catalog whose translation fails a check, each reported as an error."""
    language = languages.get(app.config.language)
    name = layout.relative(path)
    terms = translations.glossary()
    refused = set()
    for entry in polib.pofile(str(path)):
        if entry.obsolete or entry.fuzzy or not entry.translated():
            continue
        findings = [
            f for f in translations.message_findings(name, entry, language.tag, terms) if f.blocking
        ]
        for finding in findings:
            logger.error(
                "%s: %s (the Japanese original is used instead)",
                finding.kind,
                finding.message,
                location=f"{finding.path}:{finding.line}",
                type="book",
                subtype="catalog",
            )
        if findings:
            refused.add(entry.msgid)
    return refused


def _withdraw(translator: Any, msgids: set[str]) -> None:
    """Take messages out of a loaded gettext catalog and its fallbacks."""
    while translator is not None:
        for msgid in msgids:
            getattr(translator, "_catalog", {}).pop(msgid, None)
        translator = getattr(translator, "_fallback", None)


class CheckMessages(SphinxTransform):
    default_priority = 15  # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs: Any) -> None:
        tag = self.config.language
        if tag == languages.SOURCE_LANGUAGE:
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        path = layout.LOCALE / tag / "LC_MESSAGES" / f"{domain}.po"
        if not path.exists():
            return
        refused = _refused(self.app, path)
        if refused:
            dirs = [self.env.srcdir / d for d in self.config.locale_dirs]
            translator, _found = init_locale(dirs, tag, domain)
            _withdraw(translator, refused)


@cache
def _source_text(srcdir: Path) -> str:
    """The Japanese pages, whose web addresses and images a translated page may have."""
    return "\n".join(page.read_text(encoding="utf-8") for page in sorted(srcdir.rglob("*.md")))


def _source_urls(srcdir: Path) -> frozenset[str]:
    return frozenset(SOURCE_URL.findall(_source_text(srcdir)))


def _is_external(uri: str) -> bool:
    return "://" in uri or uri.startswith(("//", "mailto:", "data:", "javascript:"))


class NoForeignAddresses(SphinxTransform):
    default_priority = 25  # after the i18n transform (20) has put the translations in place

    def apply(self, **kwargs: Any) -> None:
        if self.config.language == languages.SOURCE_LANGUAGE:
            return
        srcdir = Path(self.env.srcdir)
        allowed = _source_urls(srcdir)
        for node in list(self.document.findall(nodes.image)):
            uri = node.get("uri", "")
            if _is_external(uri) or uri not in _source_text(srcdir):
                self._refuse(node, f"an image ({uri})")
                node.parent.remove(node)
        for node in list(self.document.findall(nodes.reference)):
            uri = node.get("refuri", "")
            if uri and _is_external(uri) and uri not in allowed:
                self._refuse(node, f"a link to {uri}")
                node.replace_self(nodes.Text(node.astext()))

    def _refuse(self, node: nodes.Node, what: str) -> None:
        logger.error(
            "the translated page has %s that the Japanese page does not have; removed",
            what,
            location=node,
            type="book",
            subtype="catalog",
        )


def _check_theme_labels(app: Sphinx) -> None:
    tag = app.config.language
    path = layout.LOCALE / tag / "LC_MESSAGES" / translations.THEME_CATALOG
    if tag != languages.SOURCE_LANGUAGE and path.exists():
        refused = _refused(app, path)
        if refused:
            _withdraw(app.translator, refused)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_transform(CheckMessages)
    app.add_transform(NoForeignAddresses)
    app.connect("builder-inited", _check_theme_labels)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
