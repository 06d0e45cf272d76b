"""Sphinx extension for the book's editorial markup in LaTeX.

HTML and EPUB style an admonition by its CSS class (`key-point`, `source-summary`, …), but
Sphinx's LaTeX writer drops those classes: every generic admonition comes out as a plain
"note". Here a generic admonition is wrapped in `sphinxuseclass` environments, exactly as
Sphinx already does for containers, so that docs/_latex/bookstyle.sty can style each kind.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.latex import LaTeXTranslator


def _book_classes(node: nodes.Element) -> list[str]:
    # Docutils adds "admonition-<title>" to titled admonitions; only the author's classes count.
    return [c for c in node.get("classes", []) if not c.startswith("admonition-")]


def visit_admonition(self: LaTeXTranslator, node: nodes.Element) -> None:
    for cls in _book_classes(node):
        self.body.append(f"\n\\begin{{sphinxuseclass}}{{{cls}}}")
    LaTeXTranslator.visit_admonition(self, node)


def depart_admonition(self: LaTeXTranslator, node: nodes.Element) -> None:
    LaTeXTranslator.depart_admonition(self, node)
    for _cls in _book_classes(node):
        self.body.append("\\end{sphinxuseclass}\n")


def setup(app: Sphinx) -> dict[str, object]:
    app.add_node(nodes.admonition, override=True, latex=(visit_admonition, depart_admonition))
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
