"""The tagged PDFs against PDF/UA-1's machine-checkable failure conditions (the Matterhorn
Protocol), with book.pdf_ua, on the published PDFs of the editions with languages.toml's
tagged_pdf on (conftest.TAGGED):

- the PDFs claim PDF/UA-1 and carry what it asks of the catalog: an XMP packet with
  pdfuaid:part 1 and the title, DisplayDocTitle, the edition's language;
- no check fails (28-011, a link broken across lines, since the build joins its pieces:
  book.pdf_links, tests/test_pdf_links.py);
- each check finds what it is for: a good tagged PDF broken in one way with pikepdf (its
  language removed, a link's description, an untagged line of text, ...) fails the checkpoint
  the Matterhorn Protocol gives that defect, and no other; the same text marked as an Artifact
  fails none (the checks are not counting edits).

Each expected checkpoint is the Protocol's for the defect made, not what the checker said of
the good file. What needs a person (the meaning of tags and descriptions, the reading order,
colour) is listed by `python -m book.pdf_ua --list`.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from conftest import TAGGED, tagged_pdf
from pikepdf import Array, Dictionary, Name

from book import languages, pdf_ua


def checkpoints(pdf: Path) -> Counter[str]:
    return Counter(failure.checkpoint for failure in pdf_ua.check(pdf))


@pytest.mark.parametrize("tag", TAGGED)
def test_the_pdf_claims_pdf_ua_and_shows_its_title(tagged: Path, tag: str) -> None:
    """Read with pikepdf, not with the checker: PDF/UA-1 5 and 7.1 (Matterhorn 06, 07)."""
    with pikepdf.open(tagged_pdf(tagged, tag)) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("dc:title") == str(pdf.docinfo["/Title"])
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.Lang == languages.get(tag).html_lang
        assert pdf.Root.MarkInfo.Marked is True


@pytest.mark.parametrize("tag", TAGGED)
def test_the_pdf_fails_no_check(tagged: Path, tag: str) -> None:
    assert [str(f) for f in pdf_ua.check(tagged_pdf(tagged, tag))] == []


# --- one defect at a time: what it breaks, and the checkpoint the Protocol gives it ---


def first_text(page: pikepdf.Page) -> tuple[list, list]:
    """The first font selection and text-showing operation of a page (its operands)."""
    font = shown = None
    for instruction in pikepdf.parse_content_stream(page):
        operator = str(getattr(instruction, "operator", ""))
        if operator == "Tf" and font is None:
            font = list(instruction.operands)
        if operator in ("Tj", "TJ") and font is not None:
            shown = (list(instruction.operands), operator)
            break
    assert font and shown, "a page of text"
    return font, shown


def add_text(pdf: pikepdf.Pdf, before: bytes = b"", after: bytes = b"") -> None:
    """Show a word the page already shows once more, at the page's foot, between `before`
    and `after` (marked-content operators, or nothing)."""
    page = pdf.pages[-1]
    font, (operands, operator) = first_text(page)
    body = pikepdf.unparse_content_stream(
        [
            (font, pikepdf.Operator("Tf")),
            ([1, 0, 0, 1, 72, 20], pikepdf.Operator("Tm")),
            (operands, pikepdf.Operator(operator)),
        ]
    )
    page.contents_add(pikepdf.Stream(pdf, b"q BT " + before + body + after + b" ET Q"))


def untagged_text(pdf: pikepdf.Pdf) -> None:
    add_text(pdf)


def artifact_text(pdf: pikepdf.Pdf) -> None:
    add_text(pdf, b"/Artifact BMC ", b" EMC")


def untagged_path(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].contents_add(pikepdf.Stream(pdf, b"q 10 10 m 100 10 l S Q"))


def text_with_mcid_outside_the_tree(pdf: pikepdf.Pdf) -> None:
    add_text(pdf, b"/P <</MCID 9999>> BDC ", b" EMC")


def artifact_inside_tagged_content(pdf: pikepdf.Pdf) -> None:
    add_text(pdf, b"/P <</MCID 0>> BDC /Artifact BMC ", b" EMC EMC")


def tagged_content_inside_tagged_content(pdf: pikepdf.Pdf) -> None:
    add_text(pdf, b"/P <</MCID 0>> BDC /Lbl <</MCID 1>> BDC ", b" EMC EMC")


def untagged_marks_inside_tagged_content(pdf: pikepdf.Pdf) -> None:
    """Marked content without an MCID (a Span only marked) may nest in a content item."""
    add_text(pdf, b"/P <</MCID 0>> BDC /Span BMC ", b" EMC EMC")


def no_catalog_language(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/Lang"]


def invalid_catalog_language(pdf: pikepdf.Pdf) -> None:
    pdf.Root.Lang = pikepdf.String("japanese")


def no_display_doc_title(pdf: pikepdf.Pdf) -> None:
    del pdf.Root.ViewerPreferences["/DisplayDocTitle"]


def display_doc_title_false(pdf: pikepdf.Pdf) -> None:
    pdf.Root.ViewerPreferences.DisplayDocTitle = False


def no_mark_info(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/MarkInfo"]


def suspects(pdf: pikepdf.Pdf) -> None:
    pdf.Root.MarkInfo.Suspects = True


def no_metadata(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/Metadata"]


def no_pdfua_identifier(pdf: pikepdf.Pdf) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        del meta["pdfuaid:part"]


def no_title_in_metadata(pdf: pikepdf.Pdf) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        del meta["dc:title"]


def links(pdf: pikepdf.Pdf) -> list[Dictionary]:
    return [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"]


def link_without_contents(pdf: pikepdf.Pdf) -> None:
    del links(pdf)[0]["/Contents"]


def link_without_struct_parent(pdf: pikepdf.Pdf) -> None:
    del links(pdf)[0]["/StructParent"]


def page_without_tabs(pdf: pikepdf.Pdf) -> None:
    page = next(p for p in pdf.pages if len(p.obj.get("/Annots", [])) > 0)
    del page.obj["/Tabs"]


def elements(pdf: pikepdf.Pdf, type_: str) -> list[Dictionary]:
    found, todo = [], [pdf.Root.StructTreeRoot]
    while todo:
        node = todo.pop(0)
        k = node.get("/K")
        for kid in k if isinstance(k, Array) else [k]:
            if isinstance(kid, Dictionary) and "/S" in kid:
                if str(kid.S) == "/" + type_:
                    found.append(kid)
                todo.append(kid)
    return found


def skipped_heading_level(pdf: pikepdf.Pdf) -> None:
    elements(pdf, "H2")[0].S = Name.H4  # after an H1 or an H2: a level skipped either way


def figure_without_alt(pdf: pikepdf.Pdf) -> None:
    elements(pdf, "P")[0].S = Name.Figure


def note_without_id(pdf: pikepdf.Pdf) -> None:
    elements(pdf, "P")[0].S = Name.Note


def unmapped_type(pdf: pikepdf.Pdf) -> None:
    pdf.Root.StructTreeRoot.RoleMap.Invented = Name.Unheard


def circular_role_map(pdf: pikepdf.Pdf) -> None:
    pdf.Root.StructTreeRoot.RoleMap.Aaa = Name.Bbb
    pdf.Root.StructTreeRoot.RoleMap.Bbb = Name.Aaa


def standard_type_remapped(pdf: pikepdf.Pdf) -> None:
    pdf.Root.StructTreeRoot.RoleMap.P = Name.Span


def font_without_to_unicode(pdf: pikepdf.Pdf) -> None:
    font = first_text(pdf.pages[-1])[0][0]
    del pdf.pages[-1].Resources.Font[font]["/ToUnicode"]


def font_not_embedded(pdf: pikepdf.Pdf) -> None:
    font = pdf.pages[-1].Resources.Font[first_text(pdf.pages[-1])[0][0]]
    descriptor = font.DescendantFonts[0].FontDescriptor  # a Type 0 font of LuaTeX's
    for program in ("/FontFile", "/FontFile2", "/FontFile3"):
        if program in descriptor:
            del descriptor[program]


# (the defect, the checkpoints it fails): an empty set is a control, a change that is no defect.
DEFECTS: list[tuple[Callable[[pikepdf.Pdf], None], set[str]]] = [
    (untagged_text, {"01-005"}),
    (untagged_path, {"01-005"}),
    (text_with_mcid_outside_the_tree, {"01-005"}),
    (artifact_inside_tagged_content, {"01-003"}),
    (artifact_text, set()),
    # Not a Matterhorn condition: ISO 32000-1 14.7.4.2 (book.pdf_ua names it so).
    (tagged_content_inside_tagged_content, {"ISO32000-1:14.7.4.2"}),
    (untagged_marks_inside_tagged_content, set()),
    (no_mark_info, {"UA1:6.2-1"}),
    (suspects, {"01-007"}),
    (unmapped_type, {"02-001"}),
    (circular_role_map, {"02-003"}),
    (standard_type_remapped, {"02-004"}),
    (no_metadata, {"06-001"}),
    (no_pdfua_identifier, {"06-002"}),
    (no_title_in_metadata, {"06-003"}),
    (no_display_doc_title, {"07-001"}),
    (display_doc_title_false, {"07-002"}),
    # The XMP's dc:title has xml:lang: the metadata's language stays known (no 11-006).
    (invalid_catalog_language, {"11-001", "11-003", "11-004"}),
    (no_catalog_language, {"11-001", "11-003", "11-004"}),
    (figure_without_alt, {"13-004"}),
    (skipped_heading_level, {"14-003"}),
    (note_without_id, {"19-003"}),
    (page_without_tabs, {"28-008"}),
    (link_without_struct_parent, {"28-011"}),
    (link_without_contents, {"28-012"}),
    (font_without_to_unicode, {"31-027"}),
    (font_not_embedded, {"31-009"}),
]


@pytest.mark.parametrize("tag", TAGGED)
@pytest.mark.parametrize(
    ("defect", "expected"),
    DEFECTS,
    ids=[defect.__name__ for defect, _ in DEFECTS],
)
def test_one_defect_fails_its_checkpoint(
    tagged: Path,
    tmp_path: Path,
    tag: str,
    defect: Callable[[pikepdf.Pdf], None],
    expected: set[str],
) -> None:
    """The checkpoints failed more often than in the good file are exactly the defect's
    (the language of a PDF without /Lang is undeterminable for its text, its outline and its
    links' Contents alike: three checkpoints for one defect)."""
    good = tagged_pdf(tagged, tag)
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(good) as pdf:
        defect(pdf)
        pdf.save(broken)
    added = checkpoints(broken) - checkpoints(good)
    assert set(added) == expected


def test_the_command_names_the_checkpoint_and_fails(tagged: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(tagged_pdf(tagged, "ja")) as pdf:
        no_display_doc_title(pdf)
        pdf.save(broken)
    run = subprocess.run(
        [sys.executable, "-m", "book.pdf_ua", str(broken)], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert f"{broken}: 07-001 " in run.stdout
