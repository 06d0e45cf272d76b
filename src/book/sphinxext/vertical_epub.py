"""Sphinx extension: what the vertical (縦書き) Japanese EPUB needs beyond epub_writing_mode.

`epub_writing_mode = "vertical"` makes Sphinx write `writing-mode: vertical-rl` and
`page-progression-direction="rtl"`. In vertical text a Latin digit lies on its side; a
Japanese book sets a short number upright in one character cell instead (縦中横,
tate-chu-yoko: the 2 of 2023年2月, the 24 of 24日), and the digits of a longer number upright
one under the other (2023). This post-transform marks those runs for the stylesheet
(`_static/book-epub-vertical.css`) in the vertical EPUB only: the source, the catalogs and the
other editions are untouched. Digits inside Latin text (a URL, 2023/03/18) stay as they are,
rotated with the Latin text around them.

Kindle: Amazon's reading systems take the book's writing mode from the package, not from the
CSS: `<meta name="primary-writing-mode" content="vertical-rl"/>` in content.opf (Kindle
Publishing Guidelines; kept by calibre's `ebook-convert` as the AZW3's EXTH record 525).
Without it calibre writes "horizontal-rl" beside the right-to-left page progression, the mode
of a horizontal right-to-left book. The vertical EPUB gets that meta element too (an OPF 2
meta, which EPUB 3 allows and epubcheck accepts); tests/test_kindle.py reads it back.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

# A run of ASCII digits that touches no Latin letter, digit, or URL/date punctuation.
DIGITS = re.compile(r"(?<![0-9A-Za-z/.:_\-])[0-9]+(?![0-9A-Za-z/.:_\-])")
SKIP = (nodes.literal, nodes.reference, nodes.raw, nodes.target)


def is_vertical(config) -> bool:
    return config.epub_writing_mode == "vertical"


class MarkUprightDigits(SphinxPostTransform):
    default_priority = 900  # after references are resolved: link texts are final

    def run(self, **kwargs) -> None:
        if self.app.builder.name != "epub" or not is_vertical(self.config):
            return
        for text in list(self.document.findall(nodes.Text)):
            if any(isinstance(a, SKIP) for a in _ancestors(text)):
                continue
            value = str(text)
            pieces, last = [], 0
            for match in DIGITS.finditer(value):
                digits = match.group()
                pieces.append(nodes.Text(value[last : match.start()]))
                style = "tcy" if len(digits) <= 2 else "upright"
                pieces.append(nodes.inline(digits, digits, classes=[style]))
                last = match.end()
            if pieces:
                pieces.append(nodes.Text(value[last:]))
                text.parent.replace(text, [p for p in pieces if p.astext()])


def _ancestors(node: nodes.Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


PRIMARY_WRITING_MODE = '<meta name="primary-writing-mode" content="vertical-rl"/>'


def declare_writing_mode(opf: Path) -> None:
    """The package's primary-writing-mode meta (called by book.sphinxext.epub_builder)."""
    text = opf.read_text(encoding="utf-8")
    meta = f"\n    {PRIMARY_WRITING_MODE}\n  </metadata>"
    opf.write_text(text.replace("\n  </metadata>", meta, 1), encoding="utf-8")


def setup(app):
    app.add_post_transform(MarkUprightDigits)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
