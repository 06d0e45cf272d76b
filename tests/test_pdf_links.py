"""A link broken across lines is one Link structure element holding every piece (book.pdf_links,
PDF/UA-1, Matterhorn 28-011).

LuaTeX and xdvipdfmx write one Link annotation per line of a link, all with LaTeX's one
/StructParent; tagpdf puts an OBJR to the first into the Link element only. The build joins
the others to it (book.build.join_split_links). Here:

- a PDF made with pikepdf, one link in two pieces as LaTeX leaves it: book.pdf_ua finds
  28-011 in it (the mutation: the fix not applied) and none once joined; the join gives the
  second piece a key of its own naming the same element, and an OBJR with its page; it is
  idempotent, and one input always gives the same bytes (the reproducible editions), with
  the XMP packet uncompressed and the rest in object streams;
- what cannot be joined (not a PDF, a link whose key names no Link element) fails, naming the
  file, and writes nothing: the build reports it and publishes nothing of the language;
- the tagged editions (conftest.TAGGED): LaTeX's own PDF has split links that fail
  28-011, the published one has every piece of every link in its element.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT, TAGGED, tagged_pdf
from pikepdf import Array, Dictionary, Name

from book import build, editions, languages, layout, pdf_links, pdf_ua

XMP = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def split_link_pdf(path: Path, *, across_pages: bool = False) -> Path:
    """One Link element over a link in two pieces (two lines, or the end of a page and the top
    of the next), as LuaTeX and tagpdf leave it: both annotations /StructParent 2, the element
    an OBJR to the first only."""
    pdf = pikepdf.new()
    for _ in range(2):
        pdf.add_blank_page(page_size=(200, 200))
    pages = [p.obj for p in pdf.pages]
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
    link = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Link, P=document))
    root.K = document
    document.K = Array([link])
    action = Dictionary(S=Name.URI, URI=pikepdf.String("https://example.org/"))
    annots = []
    for rect in ([100, 20, 190, 30], [10, 5, 60, 15]):
        annots.append(
            pdf.make_indirect(
                Dictionary(
                    Type=Name.Annot,
                    Subtype=Name.Link,
                    Rect=Array(rect),
                    Contents=pikepdf.String("https://example.org/"),
                    StructParent=2,
                    A=action,
                )
            )
        )
    first, second = annots
    pages[0].Annots = Array([first, second]) if not across_pages else Array([first])
    if across_pages:
        pages[1].Annots = Array([second])
    for page in pages:
        page.Tabs = Name.S
    link.K = Array([pdf.make_indirect(Dictionary(Type=Name.OBJR, Obj=first, Pg=pages[0]))])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=Array([2, link])))
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.Lang = pikepdf.String("en")
    pdf.Root.Metadata = pdf.make_stream(XMP, Type=Name.Metadata, Subtype=Name.XML)
    pdf.trailer.ID = Array([pikepdf.String(b"0123456789abcdef")] * 2)
    pdf.save(path, fix_metadata_version=False)  # the packet as written
    return path


def unlinked(pdf: pikepdf.Pdf) -> list[str]:
    """Every Link annotation that is not, by its own /StructParent, the OBJR of a Link element
    on its page; and every key held by more than one object (ISO 32000-1 14.7.4.4)."""
    tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    problems, holders = [], {}
    for number, page in enumerate(pdf.pages, 1):
        if "/StructParents" in page.obj:
            holders.setdefault(int(page.obj.StructParents), []).append(f"page {number}")
        for annot in page.obj.get("/Annots", Array()):
            if annot.get("/Subtype") != Name.Link:
                continue
            where = f"page {number}, annotation {annot.objgen}"
            key = annot.get("/StructParent")
            if key is None:
                problems.append(f"{where}: no /StructParent")
                continue
            holders.setdefault(int(key), []).append(where)
            element = tree.get(int(key))
            objrs = [
                kid
                for kid in (element.K if isinstance(element.K, Array) else [element.K])
                if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR
            ]
            if element.get("/S") != Name.Link:
                problems.append(f"{where}: /StructParent {key} names {element.get('/S')}")
            elif not any(
                o.Obj.objgen == annot.objgen and o.Pg.objgen == page.obj.objgen for o in objrs
            ):
                problems.append(f"{where}: its Link element has no OBJR to it on its page")
    problems += [
        f"/StructParent {k} held by {', '.join(v)}" for k, v in holders.items() if len(v) > 1
    ]
    return problems


def failures_28_011(path: Path) -> list[str]:
    return [str(f) for f in pdf_ua.check(path) if f.checkpoint == "28-011"]


@pytest.mark.parametrize("across_pages", [False, True], ids=["two-lines", "two-pages"])
def test_a_split_link_is_one_link_element_with_every_piece(
    tmp_path: Path, across_pages: bool
) -> None:
    latex = split_link_pdf(tmp_path / "latex.pdf", across_pages=across_pages)
    # The mutation: without the join, the second piece is in no Link element.
    assert len(failures_28_011(latex)) == 1
    with pikepdf.open(latex) as pdf:
        assert len(unlinked(pdf)) == 2  # the second piece has no OBJR, and shares key 2
    joined = tmp_path / "joined.pdf"
    assert pdf_links.fix_file(latex, joined) == 1
    assert failures_28_011(joined) == []
    with pikepdf.open(joined) as pdf:
        assert unlinked(pdf) == []
        first, second = (a for page in pdf.pages for a in page.obj.get("/Annots", Array()))
        assert (first.StructParent, second.StructParent) == (2, 3)
        link = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)[3]
        assert str(link.S) == "/Link"
        assert [objr.Obj.objgen for objr in link.K] == [first.objgen, second.objgen]
        assert list(pdf.Root.StructTreeRoot.ParentTree.Nums)[::2] == [2, 3]  # flat, sorted


def test_joining_is_idempotent_and_reproducible(tmp_path: Path) -> None:
    latex = split_link_pdf(tmp_path / "latex.pdf")
    one, two, again = tmp_path / "one.pdf", tmp_path / "two.pdf", tmp_path / "again.pdf"
    pdf_links.fix_file(latex, one)
    pdf_links.fix_file(latex, two)
    assert one.read_bytes() == two.read_bytes()
    assert pdf_links.fix_file(one, again) == 0
    with pikepdf.open(latex) as before, pikepdf.open(one) as after:
        assert after.trailer.ID[0] == before.trailer.ID[0]  # the edition's own
        metadata = after.Root.Metadata
        assert "/Filter" not in metadata
        assert metadata.read_raw_bytes() == before.Root.Metadata.read_raw_bytes() == XMP
        streams = [o for o in after.objects if isinstance(o, pikepdf.Stream)]
        assert any(s.get("/Type") == Name.ObjStm for s in streams)


def test_what_cannot_be_joined_fails_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot a PDF\n")
    target = tmp_path / "out.pdf"
    with pytest.raises(pdf_links.LinkError, match=rf"^{re.escape(str(broken))}: cannot be read"):
        pdf_links.fix_file(broken, target)
    assert not target.exists() and not list(tmp_path.glob(".*"))
    # A link whose key names a paragraph: the tagging is wrong, not just split.
    latex = split_link_pdf(tmp_path / "latex.pdf")
    with pikepdf.open(latex, allow_overwriting_input=True) as pdf:
        pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)[2].S = Name.P
        pdf.save(latex)
    with pytest.raises(pdf_links.LinkError, match=r"page 1: .*/StructParent 2 names no Link"):
        pdf_links.fix_file(latex, target)
    assert not target.exists()


def test_the_build_fails_the_edition_naming_the_file(tmp_path: Path) -> None:
    """A BuildError is the edition's failure: publish() leaves the language's published files
    as they were (book.build), and the message names the PDF."""
    edition = editions.editions_of(languages.get("en"), ("pdf",))[0]
    broken = tmp_path / edition.file_name
    broken.write_bytes(b"%PDF-1.7\nnot a PDF\n")
    with pytest.raises(
        build.BuildError, match=rf"^en/pdf: the links of {re.escape(str(broken))} cannot be put"
    ):
        build.join_split_links(edition, broken)
    assert sorted(p.name for p in tmp_path.iterdir()) == [edition.file_name]


# --- the tagged editions (conftest.TAGGED) ---


def latex_pdf(project: Path, tag: str) -> Path:
    """An edition's PDF as LaTeX wrote it, in the project's working folder."""
    name = tagged_pdf(project, tag).name
    return project / layout.WORK.relative_to(ROOT) / tag / "latex" / name


@pytest.mark.parametrize("tag", TAGGED)
def test_every_piece_of_every_link_is_in_its_link_element(tagged: Path, tag: str) -> None:
    published, latex = tagged_pdf(tagged, tag), latex_pdf(tagged, tag)
    # LaTeX alone (the build without book.pdf_links) leaves split links out of their elements:
    assert failures_28_011(latex)
    with pikepdf.open(latex) as pdf:
        assert unlinked(pdf)
    assert failures_28_011(published) == []
    with pikepdf.open(published) as pdf:
        assert unlinked(pdf) == []
        # The book has split links (else this proves nothing): elements with several OBJRs.
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        links = {
            tree[int(a.StructParent)].objgen: tree[int(a.StructParent)]
            for page in pdf.pages
            for a in page.obj.get("/Annots", Array())
            if a.get("/Subtype") == Name.Link
        }
        assert any(
            len(element.K) > 1
            and sum(
                1 for k in element.K if isinstance(k, Dictionary) and k.get("/Type") == Name.OBJR
            )
            > 1
            for element in links.values()
        )


def content_digest(page: pikepdf.Page) -> str:
    """SHA-256 of a page's content: one stream (LuaTeX) or an array of them (xdvipdfmx)."""
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return hashlib.sha256(b"".join(stream.read_bytes() for stream in streams)).hexdigest()


@pytest.mark.parametrize("tag", TAGGED)
def test_joining_changes_nothing_a_reader_sees(tagged: Path, tag: str) -> None:
    """Pages, their content streams and the document information are LaTeX's."""
    published, latex = tagged_pdf(tagged, tag), latex_pdf(tagged, tag)
    with pikepdf.open(latex) as before, pikepdf.open(published) as after:
        assert len(after.pages) == len(before.pages)
        for old, new in zip(before.pages, after.pages, strict=True):
            assert content_digest(old) == content_digest(new)
        assert dict(after.docinfo) == dict(before.docinfo)
        assert after.Root.Metadata.read_raw_bytes() == before.Root.Metadata.read_raw_bytes()
