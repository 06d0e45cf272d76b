"""Link the first mention of each glossary term in every chapter to its entry (用語集).

The chapters' text stays as the original has it: no markup is added to the source or to the
catalogs. Instead, after every page has been read (so the glossary, in the edition's language,
is known) and before references are resolved, the first occurrence of each term in a chapter's
running text becomes a `term` cross-reference, which Sphinx resolves for HTML, EPUB and LaTeX
alike. Headings, admonition titles and text that already is a link are left alone: a link in a
heading, or a link inside a link, helps no reader.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

CHAPTERS = "chapters/"
# Text inside these is not running text, or is a link already.
SKIP = (
    nodes.title,
    nodes.reference,
    addnodes.pending_xref,
    nodes.literal,
    nodes.target,
    nodes.rubric,
    nodes.raw,
)


# Sphinx's smartquotes curl the apostrophes of the chapters' text, but not of a glossary term;
# one character for one, so that positions in the folded text are positions in the text.
QUOTES = str.maketrans("‘’“”", "''\"\"")


def _fold(text: str) -> str:
    return text.translate(QUOTES).lower()


def _running_text(document: nodes.document):
    for text in document.findall(nodes.Text):
        parent, skip = text.parent, False
        while parent is not None:
            if isinstance(parent, SKIP):
                skip = True
                break
            parent = parent.parent
        if not skip:
            yield text


class LinkFirstMentions(SphinxPostTransform):
    default_priority = 5  # before the ReferencesResolver (10), which resolves what this adds

    def run(self, **kwargs) -> None:
        if not self.env.docname.startswith(CHAPTERS):
            return
        std = self.env.domains.standard_domain
        terms = sorted(
            (name for (objtype, name) in std.objects if objtype == "term"), key=len, reverse=True
        )
        for term in terms:
            self._link_first(term)

    def _link_first(self, term: str) -> None:
        wanted = _fold(term)
        for text in _running_text(self.document):
            value = str(text)
            start = _fold(value).find(wanted)
            if start < 0:
                continue
            end = start + len(term)
            xref = addnodes.pending_xref(
                "",
                refdomain="std",
                reftype="term",
                reftarget=term,
                refexplicit=True,
                refwarn=True,
                refdoc=self.env.docname,
                classes=["glossary-link"],
            )
            xref += nodes.inline(
                value[start:end], value[start:end], classes=["xref", "std", "std-term"]
            )
            pieces = [nodes.Text(value[:start]), xref, nodes.Text(value[end:])]
            text.parent.replace(
                text, [p for p in pieces if not isinstance(p, nodes.Text) or str(p)]
            )
            return


def setup(app):
    app.add_post_transform(LinkFirstMentions)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
