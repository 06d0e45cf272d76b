"""Sphinx extension: the colophon (奥付, imprint page, 版权页: docs/colophon.md), the data it
gives, and where it stands in each language's book.

The page's words are the source's and its catalogs', translated as every page is. The data
come from the one place that holds each, through the role {colophon}`key`:

  title            the edition's title (the root page's heading, through its catalog)
  original-title   the Japanese original's title, marked as Japanese in a translation
  author           the edition's author line (languages.toml, author)
  version          the project's version (pyproject.toml)
  date             the edition's date, SOURCE_DATE_EPOCH (the last commit), in the long date
                   format of the language's locale (CLDR, through babel)
  address          where the edition is published (pyproject.toml, [tool.book] base-url)
  translated       of a translation: its messages translated, and `total`, all of them;
  translators      the names its catalogs credit (book.translations.translators); these
                   three are empty in the original, which shows them nowhere

An unknown key is an error naming the page and line. For {only}, every edition but the
original's has the tag `translation`; the page's {only} part stands last, because a translated
page's blocks meet their originals by their place (book.sphinxext.original) and the original
has none of these.

Where the page stands is its language's convention (languages.toml, colophon_position): a
Japanese book ends with its 奥付; English and Chinese books give their imprint page (版权页)
right after the title page. For "front" the root toctree's entry moves to the head of the
toctree, so that the HTML navigation, the EPUB's spine and navigation and the PDF follow it
(in the PDF the page stands before the contents: book.sphinxext.book_parts).
"""

from __future__ import annotations

import datetime
import hashlib
import json

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config

from book import languages, project, translations, worktree
from book.pages import COLOPHON
from book.sphinxext.phrase_breaks import PHRASES


def colophon_data(config: Config) -> dict[str, str]:
    """The values of an edition's colophon, each from its one place (the module's table)."""
    row = languages.get(config.language)
    epoch = int(worktree.source_date_epoch())
    day = datetime.datetime.fromtimestamp(epoch, datetime.UTC).date()
    locale = row.sharing_locale
    data = {
        "title": config.html_title,  # book.sphinxext.language_settings: the translated title
        "original-title": config.project,  # the original's title
        "author": row.author,
        "version": project.version(),
        "date": format_date(day, format="long", locale=locale),
        "address": config.html_baseurl,  # the edition's own address (language_settings)
        # Only shown in a translation ({only} translation), empty in the original.
        "translated": "",
        "total": "",
        "translators": "",
    }
    if not row.is_source:
        overall, _ = translations.statistics(row)
        data["translated"] = format_decimal(overall.translated, locale=locale)
        data["total"] = format_decimal(overall.total, locale=locale)
        data["translators"] = format_list(translations.translators(row.tag), locale=locale)
    return data


def apply_colophon_data(app: Sphinx, config: Config) -> None:
    config.book_colophon = colophon_data(config)
    # The HTML and EPUB builders share the doctrees with the other builders of the language
    # (book.build): the digest as an "html" value makes each of them write the page again.
    digest = hashlib.sha256(json.dumps(config.book_colophon, sort_keys=True).encode())
    config.book_colophon_digest = digest.hexdigest()[:16]
    if not languages.get(config.language).is_source:
        app.tags.add("translation")


def colophon_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    config = inliner.document.settings.env.config
    key = text.strip()
    if key not in config.book_colophon:
        known = ", ".join(sorted(config.book_colophon))
        message = inliner.reporter.error(
            f"{{colophon}}`{key}`: no such value of the colophon in this edition; known: {known}",
            line=lineno,
        )
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    value = config.book_colophon[key]
    if key == "address":
        # A link once the catalog guard has run (it refuses a translated page's links that
        # the original lacks; this one is the edition's own address): address_links.
        return [colophon_address(value, value)], []
    if key in ("title", "original-title"):
        # A title breaks between phrases, as a heading does (book.sphinxext.phrase_breaks).
        classes = [PHRASES]
        if key == "original-title" and not languages.get(config.language).is_source:
            classes.append(f"language-{languages.SOURCE_LANGUAGE}")
        return [nodes.inline(value, value, classes=classes)], []
    return [nodes.Text(value)], []


class colophon_address(nodes.Inline, nodes.TextElement):
    """The edition's address, to become a link."""


def address_links(app: Sphinx, doctree: nodes.document) -> None:
    for node in list(doctree.findall(colophon_address)):
        uri = app.config.book_colophon["address"]
        node.replace_self(nodes.reference(uri, uri, refuri=uri))


def place_colophon(app: Sphinx, doctree: nodes.document) -> None:
    """In a book whose colophon stands in front, its root toctree entry goes first (before the
    toctree collector reads the entries: the navigation, the spine and the PDF follow)."""
    env = app.env
    if env.current_document.docname != env.config.root_doc:
        return
    if languages.get(env.config.language).colophon_position != "front":
        return
    toctrees = list(doctree.findall(addnodes.toctree))
    for toctree in toctrees:
        if COLOPHON in toctree["includefiles"]:
            toctree["includefiles"].remove(COLOPHON)
            entry = next(e for e in toctree["entries"] if e[1] == COLOPHON)
            toctree["entries"].remove(entry)
            toctrees[0]["includefiles"].insert(0, COLOPHON)
            toctrees[0]["entries"].insert(0, entry)
            return


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("book_colophon", {}, "env", types=frozenset({dict}))
    app.add_config_value("book_colophon_digest", "", "html", types=frozenset({str}))
    # After book.sphinxext.language_settings (priority 100), which sets the title.
    app.connect("config-inited", apply_colophon_data, priority=150)
    app.add_role("colophon", colophon_role)
    app.add_node(colophon_address)
    app.connect("doctree-read", address_links)
    app.connect("doctree-read", place_colophon, priority=400)  # collectors: 500
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
