"""Sphinx extension: the lines of a Japanese or Chinese heading break between phrases.

In the editions whose language BudouX has a model for (book.phrases: ja, zh_CN), every
section title (the page's title too), and every span of the class `phrases` (a title given
elsewhere, as in the colophon), is cut into its phrases at write time, after the i18n
transform, so the translated title is cut in the edition's language:

- HTML and EPUB: `<wbr>` between phrases, the standard BudouX markup; book.css gives
  headings `word-break: keep-all` (no break between two CJK characters but at a `<wbr>`) and
  `overflow-wrap: anywhere` (a phrase wider than the line still breaks rather than overflow);
- LaTeX: each phrase in a box, `\\allowbreak` between two, the bookmark's text plain
  (book.phrases.latex). The book's title on the title page is cut so too
  (book.sphinxext.language_settings); its first heading, which Sphinx takes as the document's
  title and does not print, is left as it is.

The book's title in the sidebar is cut so too: `book_title_phrases` in the page's context, for
the template docs/_templates/sidebar/brand.html. (Chromium's `word-break: auto-phrase` is
BudouX inside the browser, for Japanese only: the markup gives the same phrases in Chinese and
in the reading systems that do not have it.)

The tables of contents (the sidebar, "On this page", the EPUB's navigation) are collected when
a page is read, before this runs: they keep the plain text. tests/test_cjk_typography.py
measures the lines of every heading in Chromium and in the PDF.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from book import phrases


class phrase_run(nodes.inline):  # docutils names nodes in lower case
    """A title's text, cut into `phrase` children."""


class phrase(nodes.inline):
    """One phrase: no line break inside."""


SKIP = (nodes.literal, nodes.raw, phrase_run)
PHRASES = "phrases"  # the class of a span that breaks between phrases (book.css)


class BreakTitlesBetweenPhrases(SphinxPostTransform):
    default_priority = 850  # before vertical_epub's digits (900): they go inside a phrase
    formats = ("html", "latex")

    def run(self, **kwargs) -> None:
        tag = self.config.language
        if not phrases.has_model(tag):
            return
        titles = [t for t in self.document.findall(nodes.title) if _is_heading(t)]
        if self.app.builder.format == "latex" and titles:
            titles = titles[1:]  # the document's title: Sphinx wants it a single Text node
        titles += [n for n in self.document.findall(nodes.inline) if PHRASES in n["classes"]]
        for title in titles:
            for text in list(title.findall(nodes.Text)):
                if any(isinstance(a, SKIP) for a in _ancestors(text)):
                    continue
                pieces = phrases.split(str(text), tag)
                if len(pieces) > 1:
                    run = phrase_run("", "", *[phrase(p, p) for p in pieces])
                    text.parent.replace(text, run)


def _is_heading(title: nodes.title) -> bool:
    return isinstance(title.parent, nodes.section)


def _ancestors(node: nodes.Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def visit_phrase_html(self, node: phrase) -> None:
    if node.parent.index(node) > 0:
        # XHTML in the EPUB, HTML on the site: both read the one form.
        self.body.append("<wbr/>" if self.builder.name.startswith("epub") else "<wbr>")


def visit_phrase_run_latex(self, node: phrase_run) -> None:
    self.body.append(phrases.latex([self.encode(p.astext()) for p in node.children]))
    raise nodes.SkipNode


def _pass(self, node: nodes.Node) -> None:
    pass


def title_phrases(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    tag = app.config.language
    title = context.get("docstitle")
    if title and phrases.has_model(tag):
        context["book_title_phrases"] = phrases.split(title, tag)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("html-page-context", title_phrases)
    app.add_node(
        phrase_run,
        html=(_pass, _pass),
        latex=(visit_phrase_run_latex, _pass),
        text=(_pass, _pass),
    )
    app.add_node(phrase, html=(visit_phrase_html, _pass), latex=(_pass, _pass), text=(_pass, _pass))
    app.add_post_transform(BreakTitlesBetweenPhrases)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
