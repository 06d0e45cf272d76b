"""Sphinx extension: the settings that differ per edition, from the edition's row of
languages.toml, applied once `-D language=…` (and `-D epub_writing_mode=vertical` for the
vertical EPUB) is known. docs/conf.py holds what every edition shares.

Also here, because conf.py should read as settings only:
- the book's title and description come from the book (the first heading and the lead of
  docs/index.md, through the edition's catalog);
- dates come from SOURCE_DATE_EPOCH (default: the last commit, book.worktree), so two builds
  of one commit agree;
- `book_code_digest`: a digest of what shapes the output but Sphinx does not track (this
  package, templates, CSS, LaTeX style, the language table, the glossary); a change in any
  of them makes the next build read and write every page again instead of keeping stale ones.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid

from sphinx.application import Sphinx
from sphinx.config import Config

from book import (
    editions,
    files,
    languages,
    layout,
    pages,
    phrases,
    site_url,
    translations,
    worktree,
)
from book.editions import Edition

INDEX = pages.INDEX
# Folders of docs/ whose files shape the output without being pages.
DOCS_ASSETS = ("_templates", "_static", "_latex", "_search")
LEAD = re.compile(r"^:::\{container\} lead\n(.+?)\n:::", re.M | re.S)


def code_digest() -> str:
    tracked = [layout.LANGUAGE_TABLE, layout.GLOSSARY]
    tracked += files.files_below(layout.ROOT, ["src/book", *(f"docs/{d}" for d in DOCS_ASSETS)])
    return files.digest(tracked, layout.ROOT)[:16]


def book_title() -> str:
    """The first level-1 heading of the front page: the book's title lives in the book."""
    title = pages.title(INDEX)
    if title is None:
        raise RuntimeError(f"{pages.source(INDEX)}: no level-1 heading to take the title from")
    return title


def book_lead() -> str:
    """The lead paragraph of the front page (its `lead` container): the book's description."""
    match = LEAD.search(pages.source(INDEX).read_text(encoding="utf-8"))
    if not match:
        raise RuntimeError(f"{pages.source(INDEX)}: no lead container for the description")
    return match.group(1).strip()


def apply_language_row(app: Sphinx, config: Config) -> None:
    row = languages.get(config.language)
    vertical = config.epub_writing_mode == "vertical"
    epub = Edition(row, "epub", editions.VERTICAL if vertical else "")
    original_title = book_title()
    title = translations.translate(row.tag, INDEX, original_title)
    author = row.author
    epoch = int(worktree.source_date_epoch())
    base_url = site_url.base_url()

    config.project = original_title
    config.author = author
    config.copyright = f"{time.gmtime(epoch).tm_year}, {author}"
    config.book_code_digest = config.book_output_digest = code_digest()

    # -- HTML -----------------------------------------------------------------------------
    config.html_title = title
    config.html_baseurl = f"{base_url}{row.tag}/"
    config.ogp_site_url = config.html_baseurl
    config.ogp_site_name = title
    config.ogp_image_alt = title
    config.ogp_custom_meta_tags = [f'<meta property="og:locale" content="{row.sharing_locale}">']
    # Its links start at the site's path, so the page works wherever the host serves it.
    config.notfound_urls_prefix = f"{site_url.base_path()}{row.tag}/"
    # The theme's labels come from locale/<lang>/LC_MESSAGES/sphinx.po, which Sphinx does not
    # track: its digest in the HTML context makes a changed catalog rewrite every page.
    theme_catalog = translations.catalog_path(row.tag, "sphinx")
    if theme_catalog.exists():
        digest = files.file_digest(theme_catalog)[:16]
        config.html_context = {**config.html_context, "theme_catalog_digest": digest}
    config.html_search_language = row.search_language
    config.html_search_options = row.html_search_options

    # -- EPUB (the vertical one is an edition of its own: name, identifier, stylesheet) --------
    config.epub_title = f"{title}（縦書き）" if vertical else title  # told apart in a library
    config.epub_author = author
    config.epub_publisher = author
    config.epub_language = row.html_lang
    config.epub_copyright = config.copyright
    # A stable identifier per edition: the same book and edition always get the same UUID.
    config.epub_identifier = "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"urn:book:{editions.SLUG}:{epub.key}")
    )
    config.epub_scheme = "uuid"
    config.epub_uid = "BookId"
    config.epub_description = translations.translate(row.tag, INDEX, book_lead())
    config.epub_contributor = author
    config.book_accessibility_summary = row.accessibility_summary
    config.epub_basename = epub.basename
    if vertical:
        config.epub_css_files = [*config.epub_css_files, "book-epub-vertical.css"]

    # -- LaTeX / PDF ------------------------------------------------------------------------
    pdf = Edition(row, "pdf")
    config.latex_engine = row.latex_engine
    config.latex_docclass = {"manual": row.latex_docclass, "howto": row.latex_docclass}
    config.latex_documents = [
        (config.root_doc, f"{pdf.basename}.tex", latex_title(title, row.tag), author, "manual")
    ]
    fonts = row.latex_fonts
    if row.latex_jacharrange:
        fonts += f"\\ltjsetparameter{{jacharrange={{{row.latex_jacharrange}}}}}\n"
    config.latex_elements = {
        **config.latex_elements,
        "papersize": row.latex_papersize,
        "extraclassoptions": row.latex_classoptions,
        # The language row sets up the fonts; luatexja (Japanese) or ctex (Chinese) does the
        # CJK line breaking, LuaTeX's default patterns the English hyphenation.
        "fontpkg": fonts,
        "preamble": latex_preamble(title, author, row, pdf, epoch),
    }


def latex_title(title: str, tag: str) -> str:
    """The title as LaTeX markup (what latex_documents wants): its special characters escaped,
    and in a language BudouX knows, its lines breaking between phrases (book.phrases)."""
    pieces = phrases.split(title, tag) if phrases.has_model(tag) else [title]
    return phrases.latex([re.sub(r"([#$%&_{}])", r"\\\1", p) for p in pieces])


def latex_preamble(
    title: str, author: str, row: languages.Language, pdf: Edition, epoch: int
) -> str:
    pdf_meta = re.sub(r"([#$%&_{}])", r"\\\1", title)
    preamble = (
        r"\usepackage{bookstyle}" + "\n"
        r"\hypersetup{pdftitle={" + pdf_meta + "}, pdfauthor={" + author + "}, "
        "pdflang={" + row.html_lang + "}, pdfcreator={Sphinx + LaTeX}, "
        # A chapter's bookmark carries its number, as its heading does; back matter has none.
        "bookmarksnumbered}\n"
    )
    if row.latex_engine == "lualatex":
        # LuaTeX derives the PDF's /ID from the output's path, so two builds of one commit in
        # two folders would differ there alone; the ID is the edition's own instead.
        trailer_id = hashlib.md5(f"{pdf.basename}-{epoch}".encode()).hexdigest()
        preamble += r"\pdfvariable trailerid {[<" + trailer_id + "><" + trailer_id + ">]}\n"
    if row.tagged_pdf:
        preamble += pdf_ua_preamble(row, pdf, epoch)
    return preamble


# LuaTeX: l3backend-testphase-luatex.def writes the XMP packet with `\immediate\pdfextension
# obj uncompressed stream`, and after an object with the `uncompressed` keyword LuaTeX
# (1.15, TeX Live 2022) writes every later object outside an object stream: the Japanese PDF
# grew from 208 kB to 262 kB, 300 of its objects (the structure elements, written at the end)
# at the top level. Written through Lua's pdf.obj with compresslevel 0 the packet is still
# plain text (readable by any XMP scanner), and object streams stay on: 217 kB.
XMP_STREAM_LUATEX = r"""\ExplSyntaxOn
\cs_set_protected:Npn \__pdf_backend_metadata_stream:n #1
  {
    \tl_set:Nn \l_tmpa_tl {#1}
    \tex_directlua:D
      {
        pdf.obj{type="stream", immediate=true, compresslevel=0,
          string=token.get_macro("l_tmpa_tl"), attr="/Type/Metadata/Subtype/XML"}
      }
  }
\ExplSyntaxOff
"""


def pdf_ua_preamble(row: languages.Language, pdf: Edition, epoch: int) -> str:
    """What PDF/UA-1 asks of a tagged PDF beyond the tagging (the Matterhorn Protocol's 06 and
    07 checkpoints, checked by book.pdf_ua): the viewer shows the document's title, not its
    file name; the XMP packet (`pdfstandard=ua-1` in \\DocumentMetadata: pdfuaid:part 1,
    dc:title) has the dates of SOURCE_DATE_EPOCH and a fixed instance ID, since LaTeX's
    defaults there are the time of the run (two builds of one commit would differ)."""
    date = time.strftime("D:%Y%m%d%H%M%SZ", time.gmtime(epoch))
    instance = uuid.uuid5(uuid.NAMESPACE_URL, f"{pdf.basename}-{epoch}")
    preamble = (
        r"\hypersetup{pdfdisplaydoctitle=true}" + "\n"
        r"\AddToDocumentProperties[document]{pdfcreationdate}{" + date + "}\n"
        r"\AddToDocumentProperties[document]{pdfmoddate}{" + date + "}\n"
        r"\AddToDocumentProperties[hyperref]{pdfmetadate}{" + date + "}\n"
        r"\AddToDocumentProperties[hyperref]{pdfdate}{" + date + "}\n"  # dc:date
        r"\AddToDocumentProperties[hyperref]{pdfinstanceid}{uuid:" + str(instance) + "}\n"
    )
    if row.latex_engine == "lualatex":
        preamble += XMP_STREAM_LUATEX
    return preamble


# XeTeX: tagpdf (TeX Live 2022) has no interword spaces for it, and its `interwordspace` key
# there only warns ("engine/output mode xetex doesn't support the interword spaces"), which
# \DocumentMetadata's phase II sets. Defined again before \DocumentMetadata loads tagpdf, the
# key switches on docs/_latex/bookstyle.sty's word spaces for XeTeX instead (a space glyph
# of no width where a word ends at a space), so the phase is the same in every edition.
XETEX_INTERWORDSPACE = r"""\ExplSyntaxOn
\bool_new:N \g_book_interwordspace_bool
\hook_gput_code:nnn { package/tagpdf/after } { book }
  {
    \keys_define:nn { __tag / setup }
      {
        interwordspace .choices:nn =
          { true, on } { \bool_gset_true:N \g_book_interwordspace_bool },
        interwordspace .choices:nn =
          { false, off } { \bool_gset_false:N \g_book_interwordspace_bool },
        interwordspace .default:n = true
      }
  }
\ExplSyntaxOff
"""


def document_metadata(row: languages.Language) -> str:
    """The LaTeX's first line: a tagged PDF (LaTeX's tagging project, phase II: tagpdf with
    paragraphs and interword spaces; docs/_latex/bookstyle.sty tags the headings) in the
    edition's language, PDF 1.7, claiming PDF/UA-1 in its XMP packet (pdfuaid:part 1; the
    packet's dates and LuaTeX's way of writing it: pdf_ua_preamble). Under XeLaTeX the
    interword spaces' key is set up before it (XETEX_INTERWORDSPACE)."""
    options = f"testphase=phase-II, lang={row.html_lang}, pdfversion=1.7, pdfstandard=ua-1"
    before = XETEX_INTERWORDSPACE if row.latex_engine == "xelatex" else ""
    return before + r"\DocumentMetadata{" + options + "}"


def latex_document_metadata(app: Sphinx) -> None:
    """Hand the first line to the LaTeX template (docs/_templates/latex.tex.jinja): a value of
    the builder's context, as latex_elements would be (which refuses keys it does not know)."""
    row = languages.get(app.config.language)
    if app.builder.format == "latex" and row.tagged_pdf:  # languages.toml: tagged_pdf
        app.builder.context["documentmetadata"] = document_metadata(row)


def setup(app: Sphinx) -> dict[str, object]:
    # Every date Sphinx writes (`today`, the copyright year) comes from here.
    os.environ.setdefault("SOURCE_DATE_EPOCH", worktree.source_date_epoch())
    # "env": when it changes, every page is read again. The builders of a language share one
    # doctree cache (book.build), so the first of them to run re-reads the pages and the
    # others find the cache current: the same digest as an "html" value makes the HTML and
    # EPUB builders (whose build info hashes those values) write every page again too.
    app.add_config_value("book_code_digest", "", "env", types=frozenset({str}))
    app.add_config_value("book_output_digest", "", "html", types=frozenset({str}))
    app.connect("config-inited", apply_language_row, priority=100)
    app.connect("builder-inited", latex_document_metadata)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
