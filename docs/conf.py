"""Sphinx configuration of the book: one source (Japanese), one edition per language.

The language comes from the command line (`-D language=en`); everything that differs per
language is read from ../languages.toml, never written here.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
import tomllib
import uuid
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path[:0] = [str(ROOT / "scripts"), str(DOCS / "_ext")]

import catalogs  # noqa: E402  (scripts/catalogs.py and languages.py, found through the path above)
import languages  # noqa: E402
import myst_syntax  # noqa: E402
import site_url as site_address  # noqa: E402  (site_url is a setting of sphinx-sitemap)
import worktree  # noqa: E402

# -- Environment, read once -------------------------------------------------------------------
# SOURCE_DATE_EPOCH fixes every date the build writes; without it, the last commit's date,
# so that two builds of one commit agree (scripts/worktree.py).
BUILD_EPOCH = int(worktree.source_date_epoch())
# Where the site is published: one setting (scripts/site_url.py: BOOK_BASE_URL, else Read the
# Docs' address, else pyproject.toml). Canonical URLs, hreflang alternates, OpenGraph, the
# sitemap and the 404 page's links are made from it.
BASE_URL = site_address.base_url()
os.environ.setdefault("SOURCE_DATE_EPOCH", str(BUILD_EPOCH))

# -- Project information -----------------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#project-information

language = languages.SOURCE_LANGUAGE  # the original; other editions: -D language=<tag>
BOOK_SLUG = "xi-russia-2023"


def _title_of(page: Path) -> str:
    """The first level-1 heading of a MyST page: the book's title lives in the book."""
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise RuntimeError(f"{page}: no level-1 heading to take the book's title from")


project = _title_of(DOCS / "index.md")


def _lead_of(page: Path) -> str:
    """The lead paragraph of the front page (the `lead` container), for the EPUB description."""
    text = page.read_text(encoding="utf-8")
    match = re.search(r"^:::\{container\} lead\n(.+?)\n:::", text, re.M | re.S)
    if not match:
        raise RuntimeError(f"{page}: no lead container to take the book's description from")
    return match.group(1).strip()


def _project_version() -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["project"]["version"]


# The EPUB needs a version (ibooks:version); the printed book is identified by its date
# (`today`, on the title page), so no "Release" line there.
version = _project_version()
release = ""
today_fmt = "%Y-%m-%d"

# -- General configuration ---------------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#general-configuration

extensions = [
    "myst_parser",
    "book_editions",  # docs/_ext/book_editions.py: language switcher, hreflang, no raw HTML
    "catalog_guard",  # docs/_ext/catalog_guard.py: a message failing the checks is refused
    "book_original",  # docs/_ext/book_original.py: the Japanese original beside a translation
    "book_markup",  # docs/_ext/book_markup.py: admonition classes in LaTeX
    "epub_fixes",  # docs/_ext/epub_fixes.py: NCX identifier and XHTML language
    "epub_css",  # docs/_ext/epub_css.py: EPUB stylesheets without custom properties (Kindle)
    "search_zh_fix",  # docs/_ext/search_zh_fix.py: Chinese search in the browser
    "html_fixes",  # docs/_ext/html_fixes.py: aria-level on toctree captions, named asides
    "lean_pages",  # docs/_ext/lean_pages.py: no unused CSS/JS on the pages
    "book_search",  # docs/_ext/book_search.py: Japanese/Chinese query segmentation, ranking
    "vertical_epub",  # docs/_ext/vertical_epub.py: 縦中横 in the vertical Japanese EPUB
    "glossary_links",  # docs/_ext/glossary_links.py: first mention per chapter → 用語集
    "sphinxext.opengraph",  # OpenGraph metadata: how a shared link looks
    "sphinx_sitemap",  # sitemap.xml per edition, with hreflang alternates
    "notfound.extension",  # 404.html whose links work at any depth
    "site_meta",  # docs/_ext/site_meta.py: social card, complete sitemap
]
root_doc = "index"
exclude_patterns = ["_build", "_search", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
# The source text uses its own editorial Q&A and commentary markup, no code: nothing to
# highlight, so no highlighter CSS or lexer warnings.
highlight_language = "none"

# MyST: only the syntax the book uses (scripts/myst_syntax.py, which the catalog checks read
# too: a message is checked as MyST will parse it).
myst_enable_extensions = list(myst_syntax.ENABLE_EXTENSIONS)
myst_disable_syntax = list(myst_syntax.DISABLE_SYNTAX)
myst_heading_anchors = 0

# -- Internationalisation ----------------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-internationalisation

locale_dirs = ["../locale"]
gettext_compact = False  # one catalog per page
gettext_uuid = False
gettext_location = True
# Untranslated (and fuzzy, which is never published) messages fall back to Japanese; these
# classes let the HTML mark them (book.css).
translation_progress_classes = True


# The modules that decide what of a catalog reaches readers (docs/_ext/catalog_guard.py).
CHECK_MODULES = ("languages.py", "catalogs.py", "message_checks.py", "myst_syntax.py")


def _code_digest() -> str:
    """A digest of the code and styles that shape the output but that Sphinx does not track
    (extensions, templates, CSS, LaTeX style, the language table): a change in any of them
    makes the next build read and write everything again instead of keeping stale pages."""
    digest = hashlib.sha256()
    tracked = [ROOT / "languages.toml", ROOT / "locale" / "glossary.toml"]
    tracked += [ROOT / "scripts" / name for name in CHECK_MODULES]
    for folder in ("_ext", "_templates", "_static", "_latex", "_search"):
        tracked += sorted(p for p in (DOCS / folder).rglob("*") if p.is_file())
    for path in tracked:
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


book_code_digest = _code_digest()


def setup(app):
    """Per-language settings, once `-D language=…` has been applied."""
    app.connect("config-inited", _apply_language_row, priority=100)


def _apply_language_row(app, config) -> None:
    row = languages.get(config.language)
    title = catalogs.translate(row.tag, "index", config.project)
    author = row.author
    year = time.gmtime(BUILD_EPOCH).tm_year

    config.author = author
    config.copyright = f"{year}, {author}"

    # -- HTML ---------------------------------------------------------------------------------
    # https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-html-output
    config.html_title = title
    config.html_baseurl = f"{BASE_URL}{row.tag}/"
    config.ogp_site_url = config.html_baseurl
    config.ogp_site_name = title
    config.ogp_image_alt = title
    config.ogp_custom_meta_tags = [f'<meta property="og:locale" content="{row.sharing_locale}">']
    # Its links start at the site's path, so the page works wherever the host serves it.
    config.notfound_urls_prefix = f"{site_address.base_path()}{row.tag}/"
    # The theme's labels come from locale/<lang>/LC_MESSAGES/sphinx.po, which Sphinx does not
    # track: its digest in the HTML context makes a changed catalog rewrite every page.
    theme_catalog = ROOT / "locale" / row.tag / "LC_MESSAGES" / "sphinx.po"
    if theme_catalog.exists():
        digest = hashlib.sha256(theme_catalog.read_bytes()).hexdigest()[:16]
        config.html_context = {**config.html_context, "theme_catalog_digest": digest}
    config.html_search_language = row.search_language
    config.html_search_options = {
        key: str(DOCS / value) if value.startswith("_search/") else value
        for key, value in row.search_options
    }

    # -- EPUB ---------------------------------------------------------------------------------
    # https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-epub-output
    config.epub_title = title
    config.epub_author = author
    config.epub_publisher = author
    config.epub_language = row.html_lang
    config.epub_copyright = config.copyright
    # A stable identifier per edition: the same book and language always get the same UUID.
    # The vertical (縦書き) EPUB of a language (`-D epub_writing_mode=vertical`, built by
    # scripts/build.py where the row says vertical_epub) is a book file of its own: its own
    # name, identifier and stylesheet.
    vertical = config.epub_writing_mode == "vertical"
    edition = f"{row.tag}-vertical" if vertical else row.tag
    config.epub_identifier = "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"urn:book:{BOOK_SLUG}:{edition}")
    )
    config.epub_scheme = "uuid"
    config.epub_uid = "BookId"
    config.epub_description = catalogs.translate(row.tag, "index", _lead_of(DOCS / "index.md"))
    config.epub_contributor = author
    config.book_accessibility_summary = row.accessibility_summary
    config.epub_basename = f"{BOOK_SLUG}-{edition}"
    if vertical:
        config.epub_css_files = [*config.epub_css_files, "book-epub-vertical.css"]
        # A reader's library lists both EPUBs: the title tells them apart.
        config.epub_title = f"{title}（縦書き）"

    # -- LaTeX / PDF --------------------------------------------------------------------------
    # https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-latex-output
    config.latex_engine = row.latex_engine
    config.latex_docclass = {"manual": row.latex_docclass, "howto": row.latex_docclass}
    config.latex_documents = [
        (root_doc, f"{BOOK_SLUG}-{row.tag}.tex", title, author, "manual"),
    ]
    fonts = row.latex_fonts
    if row.latex_jacharrange:
        fonts += f"\\ltjsetparameter{{jacharrange={{{row.latex_jacharrange}}}}}\n"
    config.latex_elements = {
        "papersize": row.latex_papersize,
        "pointsize": "10pt",
        "extraclassoptions": row.latex_classoptions,
        # The language row sets up the fonts; luatexja (Japanese) or ctex (Chinese) does the
        # CJK line breaking, LuaTeX's default patterns the English hyphenation.
        "fontpkg": fonts,
        "polyglossia": "",
        "babel": "",
        "fncychap": "",
        # The book has no index: no \makeindex, no makeindex run, no empty index page.
        "makeindex": "",
        "printindex": "",
        "preamble": _latex_preamble(title, author, row),
        "sphinxsetup": "hmargin={18mm,18mm}, vmargin={20mm,20mm}",
    }


def _latex_preamble(title: str, author: str, row: languages.Language) -> str:
    pdf_meta = re.sub(r"([#$%&_{}])", r"\\\1", title)
    preamble = (
        r"\usepackage{bookstyle}" + "\n"
        r"\hypersetup{pdftitle={" + pdf_meta + "}, pdfauthor={" + author + "}, "
        "pdflang={" + row.html_lang + "}, pdfcreator={Sphinx + LaTeX}}\n"
    )
    if row.latex_engine == "lualatex":
        # LuaTeX derives the PDF's /ID from the output's path, so two builds of one commit in
        # two folders would differ there alone; the ID is the edition's own instead.
        trailer_id = hashlib.md5(f"{BOOK_SLUG}-{row.tag}-{BUILD_EPOCH}".encode()).hexdigest()
        preamble += r"\pdfvariable trailerid {[<" + trailer_id + "><" + trailer_id + ">]}\n"
    return preamble


# Defaults that the language row overrides in _apply_language_row.
html_theme = "furo"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_favicon = "_static/favicon.svg"
html_copy_source = False
html_use_index = False  # the book has no index entries: no empty "Index" page

html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": True,
}
# furo's sidebar with the language switcher and downloads (_templates/sidebar/editions.html)
# after the search box, where a reader looks first.
html_sidebars = {
    "**": [
        "sidebar/brand.html",
        "sidebar/search.html",
        "sidebar/editions.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/scroll-end.html",
        "sidebar/variant-selector.html",
    ]
}

# -- Publishing: sharing, sitemap, 404 -----------------------------------------------------
# https://sphinxext-opengraph.readthedocs.io/ · https://sphinx-sitemap.readthedocs.io/ ·
# https://sphinx-notfound-page.readthedocs.io/ (the per-language values: _apply_language_row)
ogp_type = "article"
ogp_image = "_static/social-card.png"  # written by docs/_ext/site_meta.py, per language
ogp_social_cards = {"enable": False}  # that card instead (no matplotlib, CJK titles)
site_url = BASE_URL  # the sitemap's locations: site root + {lang}/ + page
sitemap_url_scheme = "{lang}{link}"
sitemap_locales = [language.tag for language in languages.published_languages()]
sitemap_excludes = ["search.html", "404.html"]  # no content of their own
notfound_template = "not-found.html"  # _templates/: its words come from sphinx.po
notfound_context = {"body": ""}

epub_css_files = ["book.css", "book-epub.css"]
epub_use_index = False
epub_show_urls = "no"  # every URL of the book is its own visible link text (sources page)
epub_tocdepth = 2
# Sphinx 9 keeps the previous build's .buildinfo as .buildinfo.bak in the output folder when
# the configuration changed, and the EPUB builder would then warn about its unknown type.
epub_exclude_files = ["search.html", ".buildinfo.bak"]

latex_additional_files = ["_latex/bookstyle.sty"]
latex_show_urls = "footnote"
latex_show_pagerefs = False
