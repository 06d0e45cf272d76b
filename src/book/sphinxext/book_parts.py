"""Sphinx extension: the PDF in a book's three parts.

The front matter (title page, contents) and the main matter are set by docs/_latex/
bookstyle.sty around Sphinx's title page and contents. The back matter is what the root
toctree lists after the chapters: a page outside docs/chapters/ (glossary, timeline,
sources, about). Before the first of them the LaTeX gets `\\bookbackmatter` (bookstyle.sty:
the class's `\\backmatter`, no chapter or section numbers from there on). Glossary, timeline,
bibliography and a note on the book are each a back-matter element of its own in Japanese
(後付け), Chinese (后置部分) and English books alike, not lettered appendices (付録A, 附录A,
Appendix A): a book that labels them so adds words its source does not have.
"""

from __future__ import annotations

from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.writers.latex import LaTeXTranslator

CHAPTERS = "chapters/"  # the chapters' folder, as book.sphinxext.glossary_links reads it
BACK_MATTER = "\n\\bookbackmatter\n"


def is_back_matter(docname: str, root_doc: str) -> bool:
    return docname != root_doc and not docname.startswith(CHAPTERS)


def visit_start_of_file(self: LaTeXTranslator, node: addnodes.start_of_file) -> None:
    if BACK_MATTER not in self.body and is_back_matter(node["docname"], self.config.root_doc):
        self.body.append(BACK_MATTER)
    LaTeXTranslator.visit_start_of_file(self, node)


def depart_start_of_file(self: LaTeXTranslator, node: addnodes.start_of_file) -> None:
    LaTeXTranslator.depart_start_of_file(self, node)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_node(
        addnodes.start_of_file,
        override=True,
        latex=(visit_start_of_file, depart_start_of_file),
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
