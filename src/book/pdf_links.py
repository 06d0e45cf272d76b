"""Put every piece of a link broken across lines into its Link structure element (PDF/UA-1,
Matterhorn 28-011), in a tagged PDF that LaTeX wrote.

Usage:
    python -m book.pdf_links IN.pdf OUT.pdf     exit 1, naming the file and why, if it cannot

    from book import pdf_links
    pieces = pdf_links.fix_file(Path("latex/book.pdf"), Path("book.pdf"))  # annotations joined
    pdf_links.join_split_links(pdf)             # the same on an open pikepdf.Pdf, in place

Why after LaTeX: a link that breaks across lines (or pages) is one \\startlink…\\endlink, but
LuaTeX and xdvipdfmx write one Link annotation per line, each a copy of the same dictionary,
so every piece has the same /StructParent; tagpdf (TeX Live 2022, 0.98) sees one link and puts
one OBJR, to the first piece, into the Link element. The other pieces are in no structure
element, and a /StructParent key shared by two objects is against ISO 32000-1 14.7.4.4.
Neither engine gives TeX (nor LuaTeX's Lua) a say over the pieces' dictionaries, and
tagpdf/l3backend of TeX Live 2022 have no hook for them, so the structure is completed here:
each further piece gets a key of its own in the parent tree, that key names the same Link
element, and the element gets an OBJR (/Obj the annotation, /Pg its page) after the first.

The file is saved so that one input gives the same bytes every time: the /ID's first half
is kept (LuaTeX's is the edition's own, book.sphinxext.language_settings) and the second is
computed from the content (qpdf's deterministic ID), not from the time. Streams stay
compressed (Flate streams are copied, not recompressed) and every object that can be goes
into object streams; qpdf leaves the XMP metadata stream uncompressed, as PDF/A and PDF/UA
readers expect to find it. The document information and the XMP packet are not touched.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name


class LinkError(Exception):
    """The links of a PDF cannot be put in their Link elements; says which file and why."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass
class Piece:
    """One Link annotation: where it is, and the /StructParent LaTeX gave it."""

    annot: Dictionary
    page: pikepdf.Page
    number: int  # the page's number, from 1
    key: int


def kids(element: Dictionary) -> list:
    k = element.get("/K")
    return list(k) if isinstance(k, Array) else [] if k is None else [k]


def has_objr(element: Dictionary, annot: Dictionary) -> bool:
    return any(
        isinstance(kid, Dictionary)
        and kid.get("/Type") == Name.OBJR
        and isinstance(kid.get("/Obj"), Dictionary)
        and kid.Obj.objgen == annot.objgen
        for kid in kids(element)
    )


def link_pieces(pdf: pikepdf.Pdf) -> dict[int, list[Piece]]:
    """The tagged Link annotations, by /StructParent, in page order and /Annots order."""
    pieces: dict[int, list[Piece]] = {}
    for number, page in enumerate(pdf.pages, 1):
        annots = page.obj.get("/Annots")
        for annot in annots if isinstance(annots, Array) else []:
            if (
                isinstance(annot, Dictionary)
                and annot.get("/Subtype") == Name.Link
                and "/StructParent" in annot
            ):
                key = int(annot.StructParent)
                pieces.setdefault(key, []).append(Piece(annot, page, number, key))
    return pieces


def join_split_links(pdf: pikepdf.Pdf) -> int:
    """Give every Link annotation a /StructParent of its own that names its Link element,
    and that element an OBJR to it. Returns how many annotations got a new key (0: nothing
    to do; running it again changes nothing). Raises LinkError (its path "") when a Link
    annotation's /StructParent names no Link element: the tagging itself is wrong there."""
    root = pdf.Root.get("/StructTreeRoot")
    tree = root.get("/ParentTree") if isinstance(root, Dictionary) else None
    if not isinstance(tree, Dictionary):
        raise LinkError("", "no structure tree with a parent tree: not a tagged PDF")
    entries = pikepdf.NumberTree(tree)
    used = [int(key) for key, _ in entries.items()]
    next_key = max(used, default=-1) + 1
    if "/ParentTreeNextKey" in root:
        next_key = max(next_key, int(root.ParentTreeNextKey))
    added = 0
    for key, group in link_pieces(pdf).items():
        element = entries.get(key)
        if not (isinstance(element, Dictionary) and element.get("/S") == Name.Link):
            first = group[0]
            raise LinkError(
                "",
                f"page {first.number}: a Link annotation's /StructParent {key} names no Link "
                "structure element",
            )
        # The piece tagpdf made the OBJR for keeps the key (else the first); the others are
        # the lines after it.
        keeper = next((p for p in group if has_objr(element, p.annot)), group[0])
        for piece in group:
            if piece is not keeper:
                piece.annot.StructParent = next_key
                if "/Kids" in tree:
                    entries[next_key] = element
                else:
                    # A flat tree stays flat: keys only grow, so appending keeps /Nums sorted
                    # (qpdf's insert would split a long /Nums into /Kids).
                    tree.Nums.append(next_key)
                    tree.Nums.append(element)
                next_key += 1
                added += 1
            if not has_objr(element, piece.annot):
                objr = Dictionary(Type=Name.OBJR, Obj=piece.annot, Pg=piece.page.obj)
                # After the pieces before it: the element's kids stay in reading order.
                element.K = Array([*kids(element), pdf.make_indirect(objr)])
    if added and "/ParentTreeNextKey" in root:
        root.ParentTreeNextKey = next_key
    return added


def fix_file(source: Path, target: Path) -> int:
    """join_split_links on the PDF source, written to target (through a sibling, renamed
    into place: target is whole or untouched). Raises LinkError naming source."""
    new = target.with_name(f".{target.name}.new")
    try:
        with pikepdf.open(source) as pdf:
            added = join_split_links(pdf)
            pdf.save(
                new,
                deterministic_id=True,  # the second half of /ID from the content, not the time
                fix_metadata_version=False,  # the XMP packet stays byte for byte LaTeX's
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
            )
    except LinkError as exc:
        new.unlink(missing_ok=True)
        raise LinkError(source, exc.problem) from None
    except (pikepdf.PdfError, OSError) as exc:
        new.unlink(missing_ok=True)
        raise LinkError(source, f"cannot be read or written with pikepdf: {exc}") from exc
    new.replace(target)
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the PDF LaTeX wrote")
    parser.add_argument("target", type=Path, help="where the PDF with its links joined goes")
    args = parser.parse_args(argv)
    try:
        added = fix_file(args.source, args.target)
    except LinkError as exc:
        print(f"pdf_links: error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.target}: {added} link annotation(s) put into their Link element")
    return 0


if __name__ == "__main__":
    sys.exit(main())
