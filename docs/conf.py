"""Sphinx configuration of the book: one source (Japanese), one edition per language.

The language comes from the command line (`-D language=en`). What differs per language (the
title in that language, fonts, search, identifiers) is read from ../languages.toml by the
extension book.sphinxext.language_settings; what every edition shares is set here.
The book's code is the package `book` (src/book/), installed into .venv by `make`.
"""

from book import languages, myst_syntax, site_url
from book.project import version as book_version

# -- Project information -----------------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#project-information
# `project`, `author` and `copyright` are the edition's: book.sphinxext.language_settings.

language = languages.SOURCE_LANGUAGE  # the original; other editions: -D language=<tag>
# The EPUB needs a version (ibooks:version); the printed book is identified by its date
# (`today`, on the title page, from SOURCE_DATE_EPOCH), so no "Release" line there.
version = book_version()
release = ""
today_fmt = "%Y-%m-%d"

# -- General configuration ---------------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#general-configuration

extensions = [
    "myst_parser",
    # The book's own (src/book/sphinxext/):
    "book.sphinxext.language_settings",  # per-edition settings from languages.toml
    "book.sphinxext.editions",  # language switcher, hreflang, downloads, no raw HTML
    "book.sphinxext.catalog_guard",  # a message failing the catalog checks is refused
    "book.sphinxext.original",  # the Japanese original beside a translation
    "book.sphinxext.markup",  # admonition classes in LaTeX
    "book.sphinxext.colophon",  # the colophon's data, and its place per language
    "book.sphinxext.book_parts",  # front, main and back matter; chapter labels
    "book.sphinxext.epub_builder",  # the EPUB builder: identifiers, language, CSS, 縦中横
    "book.sphinxext.search_zh_fix",  # Chinese search in the browser
    "book.sphinxext.html_fixes",  # aria-level on toctree captions, named asides
    "book.sphinxext.lean_pages",  # no unused CSS/JS on the pages
    "book.sphinxext.search",  # Japanese/Chinese query segmentation, ranking
    "book.sphinxext.glossary_links",  # first mention per chapter → 用語集
    "book.sphinxext.phrase_breaks",  # ja/zh_CN headings break between phrases (BudouX)
    "book.sphinxext.site_meta",  # social card, complete sitemap
    # Publishing:
    "sphinxext.opengraph",  # OpenGraph metadata: how a shared link looks
    "sphinx_sitemap",  # sitemap.xml per edition, with hreflang alternates
    "notfound.extension",  # 404.html whose links work at any depth
]
root_doc = "index"
exclude_patterns = ["_build", "_search", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
# The source text uses its own editorial Q&A and commentary markup, no code: nothing to
# highlight, so no highlighter CSS or lexer warnings.
highlight_language = "none"

# MyST: only the syntax the book uses (src/book/myst_syntax.py, which the catalog checks read
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

# -- HTML --------------------------------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-html-output

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

# -- Publishing: sharing, sitemap, 404 ---------------------------------------------------------
# https://sphinxext-opengraph.readthedocs.io/ · https://sphinx-sitemap.readthedocs.io/ ·
# https://sphinx-notfound-page.readthedocs.io/ (the per-language values: language_settings)
ogp_type = "article"
ogp_image = "_static/social-card.png"  # written by book.sphinxext.site_meta, per language
ogp_social_cards = {"enable": False}  # that card instead (no matplotlib, CJK titles)
# Where the site is published (src/book/site_url.py): the sitemap's locations are the site
# root + {lang}/ + page.
site_url = site_url.base_url()
sitemap_url_scheme = "{lang}{link}"
sitemap_locales = [language.tag for language in languages.published_languages()]
sitemap_excludes = ["search.html", "404.html"]  # no content of their own
notfound_template = "not-found.html"  # _templates/: its words come from sphinx.po
notfound_context = {"body": ""}

# -- EPUB --------------------------------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-epub-output

epub_css_files = ["book.css", "book-epub.css"]
epub_use_index = False
epub_show_urls = "no"  # every URL of the book is its own visible link text (sources page)
epub_tocdepth = 2
# Sphinx 9 keeps the previous build's .buildinfo as .buildinfo.bak in the output folder when
# the configuration changed, and the EPUB builder would then warn about its unknown type.
epub_exclude_files = ["search.html", ".buildinfo.bak"]

# -- LaTeX / PDF -------------------------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-latex-output

latex_additional_files = ["_latex/bookstyle.sty"]
latex_show_urls = "footnote"
latex_show_pagerefs = False
latex_elements = {
    "pointsize": "10pt",
    "polyglossia": "",
    "babel": "",
    "fncychap": "",
    # The book has no index: no \makeindex, no makeindex run, no empty index page.
    "makeindex": "",
    "printindex": "",
    # The title page opens the front matter (roman page numbers; docs/_latex/bookstyle.sty):
    # page i, so the next is ii (LaTeX's titlepage sets the page after it to 1 again).
    "maketitle": r"\frontmatter\sphinxmaketitle\setcounter{page}{2}",
    "sphinxsetup": "hmargin={18mm,18mm}, vmargin={20mm,20mm}",
}
