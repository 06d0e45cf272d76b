"""Sphinx extension: the book in its three parts (front matter, chapters, back matter).

The front matter (title page, contents) and the main matter are set by docs/_latex/
bookstyle.sty around Sphinx's title page and contents. The back matter is what the root
toctree lists after the chapters: a page outside docs/chapters/ (glossary, timeline,
sources, about). Before the first of them the LaTeX gets `\\bookbackmatter` (bookstyle.sty:
the class's `\\backmatter`, no chapter or section numbers from there on). Glossary, timeline,
bibliography and a note on the book are each a back-matter element of its own in Japanese
(後付け), Chinese (后置部分) and English books alike, not lettered appendices (付録A, 附录A,
Appendix A): a book that labels them so adds words its source does not have.

In the HTML and the EPUB a chapter's title starts with its label as the PDF's class prints it
(第1章, 第一章, Chapter 1: languages.toml, chapter_label), so that the navigation, the EPUB's
contents and the page titles show the book's parts as the PDF does: numbered chapters, back
matter without numbers. The LaTeX leaves the label out: the class sets its own.

The colophon (book.sphinxext.colophon) is back matter where it ends the book (a Japanese
奥付). Where the language puts it in front (an imprint page, 版权页), its toctree entry comes
first, and its LaTeX moves from the body to the front matter: on the back of the title page,
before the contents.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.writers.latex import LaTeXTranslator

from book import languages, pages
from book.pages import COLOPHON

CHAPTERS = "chapters/"  # the chapters' folder, as book.sphinxext.glossary_links reads it
BACK_MATTER = "\n\\bookbackmatter\n"
CHAPTER_LABEL = "chapter-label"  # the class of a chapter's label (book.css)


def is_back_matter(docname: str, root_doc: str) -> bool:
    return docname != root_doc and not docname.startswith(CHAPTERS)


def colophon_in_front(docname: str, language: str) -> bool:
    return docname == COLOPHON and languages.get(language).colophon_position == "front"


def visit_start_of_file(self: LaTeXTranslator, node: addnodes.start_of_file) -> None:
    docname = node["docname"]
    if colophon_in_front(docname, self.config.language):
        node["book_front_start"] = len(self.body)
    elif BACK_MATTER not in self.body and is_back_matter(docname, self.config.root_doc):
        self.body.append(BACK_MATTER)
    LaTeXTranslator.visit_start_of_file(self, node)
    if docname == COLOPHON:
        self.body.append("\n\\begin{bookcolophon}\n")


def depart_start_of_file(self: LaTeXTranslator, node: addnodes.start_of_file) -> None:
    if node["docname"] == COLOPHON:
        self.body.append("\n\\end{bookcolophon}\n")
    LaTeXTranslator.depart_start_of_file(self, node)
    if "book_front_start" in node:
        start = node["book_front_start"]
        front = "".join(self.body[start:])
        del self.body[start:]
        self.elements["tableofcontents"] = front + "\n" + self.elements["tableofcontents"]


def label_chapter(app: Sphinx, doctree: nodes.document) -> None:
    """Put a chapter's label before its title (before the collectors read the title for the
    navigation; not for gettext, whose messages are the source's)."""
    docname = app.env.current_document.docname
    if app.builder.name == "gettext" or not docname.startswith(CHAPTERS):
        return
    chapters = [doc for doc in pages.reading_order() if doc.startswith(CHAPTERS)]
    section = next(doctree.findall(nodes.section), None)
    if docname not in chapters or section is None:
        return
    label = languages.get(app.config.language).chapter_name(chapters.index(docname) + 1)
    section[0].insert(0, nodes.inline(label, label, classes=[CHAPTER_LABEL]))


def visit_inline(self: LaTeXTranslator, node: nodes.inline) -> None:
    if CHAPTER_LABEL in node["classes"]:
        raise nodes.SkipNode
    LaTeXTranslator.visit_inline(self, node)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_node(
        addnodes.start_of_file,
        override=True,
        latex=(visit_start_of_file, depart_start_of_file),
    )
    app.add_node(nodes.inline, override=True, latex=(visit_inline, LaTeXTranslator.depart_inline))
    app.connect("doctree-read", label_chapter, priority=400)  # collectors: 500
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
