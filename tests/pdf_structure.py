"""A tagged PDF's structure tree as two outside readers see it: poppler's `pdfinfo
-struct-text` gives each element's type and text (what a screen reader reads), pikepdf the
attributes poppler does not print (/Lang, the annotations an OBJR names).

Both walk the tree depth first in /K order, so their elements pair up one to one; `read`
checks that the types agree before it joins them. Hand-parsed because poppler prints the tree
as indented lines (no library reads that format): an element is `Type` or `Type (block)`, its
text `"..."`, an object reference `Object N G`, two spaces a level.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf


@dataclass
class Element:
    type: str
    lang: str = ""
    parts: list[str | Element] = field(default_factory=list)  # text and child elements
    objects: list[int] = field(default_factory=list)  # object numbers of OBJR children

    @property
    def children(self) -> list[Element]:
        return [part for part in self.parts if isinstance(part, Element)]

    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text() for p in self.parts)

    def walk(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.walk()

    def all(self, kind: str) -> list[Element]:
        return [element for element in self.walk() if element.type == kind]


LINE = re.compile(
    r'^(?P<indent> *)(?:"(?P<text>.*)"|Object (?P<obj>\d+) \d+|(?P<type>\S+)(?: \(\w+\))?)$'
)


def poppler_tree(pdf: Path) -> Element:
    """The tree as `pdfinfo -struct-text` prints it, under a root of type ""."""
    out = subprocess.run(
        ["pdfinfo", "-struct-text", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    root = Element("")
    stack: list[tuple[int, Element]] = [(-1, root)]
    for line in out.splitlines():
        match = LINE.match(line)
        assert match, f"pdfinfo -struct-text printed a line of no known form: {line!r}"
        depth = len(match["indent"]) // 2
        while stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1]
        if match["text"] is not None:
            parent.parts.append(match["text"])
        elif match["obj"] is not None:
            parent.objects.append(int(match["obj"]))
        else:
            element = Element(match["type"])
            parent.parts.append(element)
            stack.append((depth, element))
    return root


def pikepdf_elements(pdf: pikepdf.Pdf) -> Iterator[tuple[str, str]]:
    """Each structure element's type and /Lang, depth first in /K order."""

    def walk(node: object) -> Iterator[tuple[str, str]]:
        if isinstance(node, pikepdf.Array):
            for item in node:
                yield from walk(item)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield str(node.S)[1:], str(node.get("/Lang", ""))
            if "/K" in node:
                yield from walk(node.K)

    yield from walk(pdf.Root.StructTreeRoot.get("/K", pikepdf.Array()))


def read(pdf: Path) -> Element:
    """The structure tree: poppler's types and text, pikepdf's /Lang."""
    root = poppler_tree(pdf)
    elements = list(root.walk())[1:]
    with pikepdf.open(pdf) as document:
        attributes = list(pikepdf_elements(document))
    assert [e.type for e in elements] == [kind for kind, _ in attributes], (
        "poppler and pikepdf walk the structure tree differently"
    )
    for element, (_, lang) in zip(elements, attributes, strict=True):
        element.lang = lang
    return root
