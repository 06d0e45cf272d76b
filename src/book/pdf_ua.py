"""Check a tagged PDF against the machine-checkable failure conditions of PDF/UA-1
(ISO 14289-1), numbered as the PDF Association's Matterhorn Protocol numbers them.

Usage:
    python -m book.pdf_ua FILE.pdf [FILE.pdf ...]
    python -m book.pdf_ua --list        what is checked here, and what needs a person

    from book import pdf_ua
    failures = pdf_ua.check(Path("book.pdf"))   # [] when every check passes
    for failure in failures:
        print(failure)                           # "06-002 the XMP packet has no pdfuaid:part"

The command prints one line per failure, "FILE: 11-001 page 3: ...", and exits 1 when there is
any (0 when there is none). A failure names its Matterhorn checkpoint ("06-002") and what is
wrong where; counts are per page, not per operator. One requirement of ISO 14289-1 has no
Matterhorn number, the catalog's MarkInfo (clause 6.2): it is reported as "UA1:6.2-1", the
rule id veraPDF gives it. One requirement of ISO 32000-1 that PDF/UA's tagged content rests on
(ISO 14289-1 asks for a tagged PDF as ISO 32000-1 14.8 defines it) has none either: a
marked-content sequence that is a structure content item (an MCID) holds no other such
sequence (14.7.4.2); a nested one's content would belong to two structure elements, and
poppler reads it in both. It is reported as "ISO32000-1:14.7.4.2".

What is checked (CHECKED lists them): the content of every page and Form XObject (every text,
path and image is inside tagged content or an Artifact, each tagged sequence is in the
structure tree), the role map, the XMP metadata, DisplayDocTitle, the natural language of text,
alternative text, outlines, annotations and metadata (and that every Lang is a valid BCP 47
tag of a known language), headings, Figures' and Formulas' alternative text, Notes' IDs, list,
table and TOC nesting, annotations, optional content, embedded files, encryption, reference
XObjects, and fonts (embedded, Unicode mapping of every character shown, CMaps, .notdef).

Not checked here, though a machine could: glyph widths and glyph presence inside the embedded
font programs (31-011..31-026 need a font parser), CIDSet and CharSet completeness, and the
Unicode mapping of fonts with a CMap other than Identity-H/V (their codes are not split).
What needs a person is listed in NEEDS_A_PERSON: whether the tags mean what the content is,
the reading order, alternative text that says what a figure or link says, colour, and so on.

The checks read the file with pikepdf; a ToUnicode CMap is read here (pikepdf has no parser for
them), as the `bfchar` and `bfrange` sections ISO 32000-1 9.10.3 defines.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from babel import Locale, UnknownLocaleError
from pikepdf import Array, Dictionary, Name, Stream

# The checkpoints these checks decide, with the Matterhorn Protocol's failure condition.
CHECKED = {
    "UA1:6.2-1": "the catalog has no MarkInfo dictionary with Marked true (ISO 14289-1 6.2)",
    "ISO32000-1:14.7.4.2": "marked content with an MCID is nested in marked content with one",
    "01-003": "content marked as Artifact is present inside tagged content",
    "01-004": "tagged content is present inside content marked as Artifact",
    "01-005": "content is neither marked as Artifact nor tagged as real content",
    "01-007": "the MarkInfo Suspects entry is true",
    "02-001": "a non-standard structure type's mapping does not end in a standard type",
    "02-003": "a circular role mapping exists",
    "02-004": "a standard structure type is remapped",
    "06-001": "no XMP metadata stream in the catalog",
    "06-002": "the XMP metadata has no PDF/UA identifier (pdfuaid:part)",
    "06-003": "the XMP metadata has no dc:title",
    "07-001": "ViewerPreferences has no DisplayDocTitle entry",
    "07-002": "ViewerPreferences' DisplayDocTitle is false",
    "09-004": "a table element is not nested as ISO 32000-1 Table 337 says",
    "09-005": "a list element is not nested as ISO 32000-1 Table 336 says",
    "09-006": "a TOC element is not nested as ISO 32000-1 Table 333 says",
    "09-007": "a Ruby element is not nested as ISO 32000-1 Table 338 says",
    "09-008": "a Warichu element is not nested as ISO 32000-1 Table 338 says",
    "10-001": "a character code cannot be mapped to Unicode",
    "11-001": "the natural language of page content cannot be determined",
    "11-002": "the natural language of Alt, ActualText or E cannot be determined",
    "11-003": "the natural language of the outline entries cannot be determined",
    "11-004": "the natural language of an annotation's Contents cannot be determined",
    "11-005": "the natural language of a form field's TU cannot be determined",
    "11-006": "the natural language of the document metadata cannot be determined",
    "13-004": "a Figure has no alternative (Alt) or replacement (ActualText) text",
    "14-002": "numbered headings are used, but the first is not H1",
    "14-003": "a numbered heading level is skipped (H3 right after H1)",
    "14-006": "a structure element has more than one H child",
    "14-007": "the document uses both H and numbered H1..H6 headings",
    "17-002": "a Formula has no Alt text",
    "19-003": "a Note has no ID entry",
    "19-004": "a Note's ID is not unique",
    "20-001": "an optional content configuration in Configs has no Name",
    "20-002": "the default optional content configuration (D) has no Name",
    "20-003": "an optional content configuration has an AS entry",
    "21-001": "an embedded file's file specification lacks F or UF",
    "26-002": "the file is encrypted without permission for accessibility (P bit 10)",
    "28-002": "an annotation (not Widget, Link, PrinterMark, Popup) is not in an Annot element",
    "28-004": "an annotation has neither Contents nor Alt on its structure element",
    "28-005": "a form field has neither TU nor Alt on its structure element",
    "28-006": "an annotation's subtype is not defined in ISO 32000-1",
    "28-007": "an annotation of subtype TrapNet exists",
    "28-008": "a page with annotations has no Tabs entry",
    "28-009": "a page with annotations has a Tabs entry other than S",
    "28-010": "a widget annotation is not nested in a Form element",
    "28-011": "a link annotation is not nested in a Link element (StructParent, OBJR)",
    "28-012": "a link annotation has no alternate description in its Contents entry",
    "30-001": "a reference XObject is present",
    "30-002": "a Form XObject with MCIDs is referenced more than once",
    "31-001": "a Type 0 font's CMap and CIDFont differ in CIDSystemInfo Registry",
    "31-002": "a Type 0 font's CMap and CIDFont differ in CIDSystemInfo Ordering",
    "31-003": "a Type 0 font's CIDFont has a lower Supplement than its CMap",
    "31-004": "a Type 2 CIDFont's CIDToGIDMap is neither a stream nor Identity",
    "31-005": "a Type 2 CIDFont has no CIDToGIDMap",
    "31-006": "a CMap is neither predefined (ISO 32000-1 Table 118) nor embedded",
    "31-007": "an embedded CMap's WMode differs from its dictionary's",
    "31-008": "an embedded CMap uses a CMap that is not predefined",
    "31-009": "the font program of a font used for text is not embedded",
    "31-027": "a font has no ToUnicode and none of the exceptions applies",
    "31-028": "a ToUnicode CMap maps a code to U+0000",
    "31-029": "a ToUnicode CMap maps a code to U+FEFF or U+FFFE",
    "31-030": "a character shown references the .notdef glyph",
}

# Matterhorn failure conditions a program cannot decide: a person reads the PDF (with a
# screen reader, and beside the print) for these.
NEEDS_A_PERSON = {
    "01-001": "an artifact (running head, page number, rule) is tagged as real content",
    "01-002": "real content is marked as artifact",
    "01-006": "a structure element's type does not mean what its content is (a heading as P)",
    "02-002": "a non-standard type is mapped to a standard type that does not fit it",
    "03-001": "content flickers",
    "04-001": "information is given by colour, contrast, format or layout alone",
    "05-001": "media without text alternative",
    "06-004": "dc:title does not identify the document",
    "08-001/08-002": "scanned text: OCR that is wrong or untagged",
    "09-001": "the tags are not in the reading order",
    "09-002/09-003": "structure elements are nested in a way that does not mean anything",
    "10-002": "ActualText or the Unicode mapping says something other than the glyphs",
    "11-007": "a declared language is not the language of the text",
    "12-001": "stretched characters (a big bracket) without text",
    "13-001..13-003, 13-005..13-008": "graphics tagged as Figure, captions, alt text that "
    "describes the figure",
    "14-001, 14-004, 14-005": "headings tagged as headings, at the right level",
    "15-001, 15-002, 15-005": "table headers and their cells",
    "16-001..16-003": "lists tagged as lists, numbering",
    "17-001, 17-003": "formulas tagged as Formula, with Unicode",
    "18-001..18-003": "running heads and footers as artifacts",
    "19-001, 19-002": "notes and references tagged as Note, Reference",
    "22-001": "article threads in the reading order",
    "27-001": "navigation (the contents, bookmarks) matches the structure",
    "28-001, 28-003, 28-013..28-018": "annotations in reading order, meaningful descriptions "
    "(a link's Contents saying where it goes, not 'url')",
}


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The standard structure types of ISO 32000-1 (14.8.4): PDF/UA-1's.
STANDARD_TYPES = words(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private "
    "H H1 H2 H3 H4 H5 H6 P L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note "
    "Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form"
)
# Which parent each grouping element must have (ISO 32000-1 Tables 333, 336-338): one
# Matterhorn checkpoint per family.
PARENTS = {
    "TR": ({"Table", "THead", "TBody", "TFoot"}, "09-004"),
    "TH": ({"TR"}, "09-004"),
    "TD": ({"TR"}, "09-004"),
    "THead": ({"Table"}, "09-004"),
    "TBody": ({"Table"}, "09-004"),
    "TFoot": ({"Table"}, "09-004"),
    "LI": ({"L"}, "09-005"),
    "LBody": ({"LI"}, "09-005"),
    "TOCI": ({"TOC"}, "09-006"),
    "RB": ({"Ruby"}, "09-007"),
    "RT": ({"Ruby"}, "09-007"),
    "RP": ({"Ruby"}, "09-007"),
    "WT": ({"Warichu"}, "09-008"),
    "WP": ({"Warichu"}, "09-008"),
}
CHILDREN = {
    "L": ({"L", "LI", "Caption"}, "09-005"),
    "LI": ({"Lbl", "LBody"}, "09-005"),
    "TOC": ({"TOC", "TOCI", "Caption"}, "09-006"),
    "TR": ({"TH", "TD"}, "09-004"),
}
ANNOTATION_TYPES = words(
    "Text Link FreeText Line Square Circle Polygon PolyLine Highlight Underline Squiggly "
    "StrikeOut Stamp Caret Ink Popup FileAttachment Sound Movie Widget Screen PrinterMark "
    "TrapNet Watermark 3D"
)
# ISO 32000-1 Table 118: the CMaps a reader has built in (need not be embedded).
PREDEFINED_CMAPS = words(
    "GB-EUC-H GB-EUC-V GBpc-EUC-H GBpc-EUC-V GBK-EUC-H GBK-EUC-V GBKp-EUC-H GBKp-EUC-V "
    "GBK2K-H GBK2K-V UniGB-UCS2-H UniGB-UCS2-V UniGB-UTF16-H UniGB-UTF16-V B5pc-H B5pc-V "
    "HKscs-B5-H HKscs-B5-V ETen-B5-H ETen-B5-V ETenms-B5-H ETenms-B5-V CNS-EUC-H CNS-EUC-V "
    "UniCNS-UCS2-H UniCNS-UCS2-V UniCNS-UTF16-H UniCNS-UTF16-V 83pv-RKSJ-H 90ms-RKSJ-H "
    "90ms-RKSJ-V 90msp-RKSJ-H 90msp-RKSJ-V 90pv-RKSJ-H Add-RKSJ-H Add-RKSJ-V EUC-H EUC-V "
    "Ext-RKSJ-H Ext-RKSJ-V H V UniJIS-UCS2-H UniJIS-UCS2-V UniJIS-UCS2-HW-H UniJIS-UCS2-HW-V "
    "UniJIS-UTF16-H UniJIS-UTF16-V KSC-EUC-H KSC-EUC-V KSCms-UHC-H KSCms-UHC-V "
    "KSCms-UHC-HW-H KSCms-UHC-HW-V KSCpc-EUC-H UniKS-UCS2-H UniKS-UCS2-V UniKS-UTF16-H "
    "UniKS-UTF16-V Identity-H Identity-V"
)
# 31-027's exception: a Type 0 font whose CIDFont uses one of these character collections.
KNOWN_COLLECTIONS = frozenset({"GB1", "CNS1", "Japan1", "Korea1"})
TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh"})
# RFC 5646 language tags (well-formed; registered languages are checked with CLDR, below).
BCP47 = re.compile(
    r"(?:(?P<language>[a-z]{2,3})(?:-[a-z]{3}){0,3}|[a-z]{4,8})"
    r"(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"
    r"(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*(?:-x(?:-[a-z0-9]{1,8})+)?"
    r"|x(?:-[a-z0-9]{1,8})+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Failure:
    """One failure condition met: its Matterhorn checkpoint and what is wrong, where."""

    checkpoint: str
    what: str

    def __str__(self) -> str:
        return f"{self.checkpoint} {self.what}"


def valid_language(tag: object) -> bool:
    """A well-formed BCP 47 tag whose language CLDR knows (ja, en-GB, zh-CN); not ''."""
    text = str(tag) if tag is not None else ""
    match = BCP47.fullmatch(text)
    if not match:
        return False
    if match.group("language") is None:
        return text.lower().startswith("x-")  # private use: nothing to look up
    try:
        Locale.parse(match.group("language"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def name(value: object) -> str:
    """A PDF name without its slash ("/H1" → "H1"); '' for anything else."""
    return str(value)[1:] if isinstance(value, Name) else ""


def key(obj: pikepdf.Object) -> tuple[int, int]:
    return obj.objgen


@dataclass
class Element:
    """A structure element in the tree's order, with what the checks ask of it."""

    obj: Dictionary
    type: str  # its /S, as written
    standard: str | None  # through the role map; None when the mapping ends nowhere
    parent: Element | None
    language: str | None  # its own /Lang or an ancestor's (valid or not)
    children: list[Element] = field(default_factory=list)
    has_content: bool = False  # it holds marked content (MCIDs) of its own


class Report:
    """The failures found, at most one line per checkpoint and place."""

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.counts: Counter[tuple[str, str]] = Counter()

    def add(self, checkpoint: str, what: str) -> None:
        self.failures.append(Failure(checkpoint, what))

    def count(self, checkpoint: str, what: str, n: int = 1) -> None:
        """Many of one kind (operators on a page): one failure with the number."""
        self.counts[(checkpoint, what)] += n

    def result(self) -> list[Failure]:
        counted = [Failure(c, f"{what} ({n}×)") for (c, what), n in self.counts.items()]
        return self.failures + counted


def check(path: Path | str) -> list[Failure]:
    """Every machine-checkable failure condition the PDF at `path` meets."""
    with pikepdf.open(path) as pdf:
        return Checker(pdf).run()


class Checker:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root
        self.report = Report()
        tree = self.root.get("/StructTreeRoot")
        self.tree = tree if isinstance(tree, Dictionary) else None
        rolemap = self.tree.get("/RoleMap") if self.tree is not None else None
        self.rolemap = (
            {str(k)[1:]: name(v) for k, v in rolemap.items()}
            if isinstance(rolemap, Dictionary)
            else {}
        )
        lang = self.root.get("/Lang")
        self.document_language = str(lang) if valid_language(lang) else None
        self.elements: list[Element] = []
        self.by_object: dict[tuple[int, int], Element] = {}
        self.parent_tree: dict[int, pikepdf.Object] = {}
        # Form XObjects holding MCIDs, and how often they are painted (30-002)
        self.form_uses: Counter[tuple[int, int]] = Counter()
        self.forms_with_mcids: set[tuple[int, int]] = set()
        self.codes: dict[tuple[int, int], set[int]] = defaultdict(set)  # font → codes shown
        self.fonts: dict[tuple[int, int], Dictionary] = {}

    def run(self) -> list[Failure]:
        self.catalog()
        self.metadata()
        self.structure()
        for number, page in enumerate(self.pdf.pages, start=1):
            self.page_content(number, page)
            self.annotations(number, page)
        for form, uses in self.form_uses.items():
            if form in self.forms_with_mcids and uses > 1:
                self.report.add("30-002", f"Form XObject {form[0]} holds MCIDs, painted {uses}×")
        self.font_checks()
        return self.report.result()

    # --- the catalog: MarkInfo, ViewerPreferences, language, outlines, OC, files ---

    def catalog(self) -> None:
        add = self.report.add
        mark_info = self.root.get("/MarkInfo")
        if not isinstance(mark_info, Dictionary) or mark_info.get("/Marked") is not True:
            add("UA1:6.2-1", "the catalog's MarkInfo has no Marked true: not a tagged PDF")
        elif mark_info.get("/Suspects") is True:
            add("01-007", "MarkInfo /Suspects is true")
        prefs = self.root.get("/ViewerPreferences")
        shown = prefs.get("/DisplayDocTitle") if isinstance(prefs, Dictionary) else None
        if shown is None:
            add("07-001", "ViewerPreferences has no DisplayDocTitle: viewers show the file name")
        elif shown is not True:
            add("07-002", "ViewerPreferences /DisplayDocTitle is false")
        lang = self.root.get("/Lang")
        if lang is not None and not valid_language(lang):
            add("11-001", f"the catalog's /Lang {str(lang)!r} is not a valid BCP 47 tag")
        outlines = self.root.get("/Outlines")
        has_outline = isinstance(outlines, Dictionary) and "/First" in outlines
        if has_outline and self.document_language is None:
            add("11-003", "outline entries, and no valid /Lang in the catalog")
        self.optional_content()
        self.embedded_files()
        if self.pdf.is_encrypted and not self.pdf.allow.accessibility:
            add("26-002", "encrypted, and P bit 10 (content for accessibility) is off")

    def optional_content(self) -> None:
        properties = self.root.get("/OCProperties")
        if not isinstance(properties, Dictionary):
            return
        default = properties.get("/D")
        configs = list(properties.get("/Configs", Array()))
        if isinstance(default, Dictionary) and not str(default.get("/Name", "")):
            self.report.add("20-002", "the default optional content configuration has no Name")
        for config in configs:
            if not str(config.get("/Name", "")):
                self.report.add("20-001", "an optional content configuration has no Name")
        for config in [default, *configs]:
            if isinstance(config, Dictionary) and "/AS" in config:
                self.report.add("20-003", "an optional content configuration has AS")

    def embedded_files(self) -> None:
        names = self.root.get("/Names")
        files = names.get("/EmbeddedFiles") if isinstance(names, Dictionary) else None
        if not isinstance(files, Dictionary):
            return
        for label, spec in pikepdf.NameTree(files).items():
            if "/F" not in spec or "/UF" not in spec:
                self.report.add("21-001", f"embedded file {label!r} lacks F or UF")

    # --- the XMP packet ---

    def metadata(self) -> None:
        stream = self.root.get("/Metadata")
        if not isinstance(stream, Stream):
            self.report.add("06-001", "the catalog has no XMP Metadata stream")
            if self.document_language is None:
                self.report.add("11-006", "no metadata language: no XMP, no catalog /Lang")
            return
        meta = self.pdf.open_metadata()
        if str(meta.get("pdfuaid:part", "")).strip() != "1":
            self.report.add("06-002", "the XMP packet has no pdfuaid:part 1 (PDF/UA-1)")
        if not str(meta.get("dc:title", "")).strip():
            self.report.add("06-003", "the XMP packet has no dc:title")
        packet = stream.read_bytes().decode("utf-8", "replace")
        languages = re.findall(r'xml:lang="([^"]*)"', packet)
        if self.document_language is None and not any(
            valid_language(tag) for tag in languages if tag != "x-default"
        ):
            self.report.add("11-006", "no metadata language: no catalog /Lang, no xml:lang")

    # --- the structure tree ---

    def resolve(self, type_: str) -> str | None:
        """The standard type a structure type stands for (None: a chain that ends nowhere)."""
        seen = []
        while type_ not in STANDARD_TYPES:
            if type_ in seen or type_ not in self.rolemap:
                return None
            seen.append(type_)
            type_ = self.rolemap[type_]
        return type_

    def structure(self) -> None:
        add = self.report.add
        if self.tree is None:
            add("01-005", "no structure tree (StructTreeRoot): nothing is tagged")
            return
        for source, target in self.rolemap.items():
            if source in STANDARD_TYPES:
                add("02-004", f"the standard type {source} is remapped to {target}")
            chain, current = [source], target
            while current in self.rolemap and current not in STANDARD_TYPES:
                if current in chain:
                    add("02-003", f"circular role mapping: {' → '.join([*chain, current])}")
                    break
                chain.append(current)
                current = self.rolemap[current]
            else:
                if current not in STANDARD_TYPES:
                    add("02-001", f"{source} maps to {current}, not a standard type")
        parent_tree = self.tree.get("/ParentTree")
        if isinstance(parent_tree, Dictionary):
            self.parent_tree = dict(pikepdf.NumberTree(parent_tree).items())
        for kid in kids(self.tree):
            self.walk(kid, None, None)
        self.element_checks()

    def walk(self, obj: pikepdf.Object, parent: Element | None, language: str | None) -> None:
        if not isinstance(obj, Dictionary) or "/S" not in obj:
            return  # MCR, OBJR and bare MCIDs are content, looked at from the element
        if obj.is_indirect and key(obj) in self.by_object:
            return  # a cycle, or an element reached twice
        own = obj.get("/Lang")
        type_ = name(obj.get("/S"))
        element = Element(
            obj, type_, self.resolve(type_), parent, str(own) if own is not None else language
        )
        if obj.is_indirect:
            self.by_object[key(obj)] = element
        self.elements.append(element)
        if parent is not None:
            parent.children.append(element)
        for kid in kids(obj):
            if isinstance(kid, int) or (
                isinstance(kid, Dictionary) and name(kid.get("/Type")) == "MCR"
            ):
                element.has_content = True
            else:
                self.walk(kid, element, element.language)

    def element_checks(self) -> None:
        add = self.report.add
        numbered: list[int] = []
        unnumbered = 0
        note_ids: Counter[str] = Counter()
        bad_language: Counter[str] = Counter()
        no_language = 0
        for element in self.elements:
            type_, standard = element.type, element.standard
            if standard is None:
                add("02-001", f"structure type {type_} is not standard and maps to none")
            language = element.language or self.document_language
            if "/Lang" in element.obj and not valid_language(element.obj.get("/Lang")):
                bad_language[str(element.obj.get("/Lang"))] += 1
            if element.has_content and not valid_language(language):
                no_language += 1
            for entry in ("/Alt", "/ActualText", "/E"):
                if entry in element.obj and not valid_language(language):
                    add("11-002", f"{type_}'s {entry[1:]} has no determinable language")
            # Headings: a numbered type counts by its number even when role-mapped (H7 → H6),
            # as the Matterhorn Protocol asks of readers; otherwise by what it maps to.
            level = re.fullmatch(r"H([1-9][0-9]*)", type_)
            level = level or re.fullmatch(r"H([1-6])", standard or "")
            if level:
                number = int(level.group(1))
                if not numbered and number != 1:
                    add("14-002", f"the first numbered heading is {type_}, not H1")
                elif numbered and number > numbered[-1] + 1:
                    add("14-003", f"{type_} follows H{numbered[-1]}: a level is skipped")
                numbered.append(number)
            elif standard == "H":
                unnumbered += 1
            if sum(1 for child in element.children if child.standard == "H") > 1:
                add("14-006", f"a {type_} holds more than one H")
            if standard == "Figure" and not ("/Alt" in element.obj or "/ActualText" in element.obj):
                add("13-004", f"a {type_} (Figure) has no Alt or ActualText")
            if standard == "Formula" and "/Alt" not in element.obj:
                add("17-002", f"a {type_} (Formula) has no Alt")
            if standard == "Note":
                if "/ID" not in element.obj:
                    add("19-003", f"a {type_} (Note) has no ID")
                else:
                    note_ids[bytes(element.obj.get("/ID")).hex()] += 1
            self.nesting(element)
        if numbered and unnumbered:
            add("14-007", f"{unnumbered} H and {len(numbered)} numbered headings together")
        for note_id, n in note_ids.items():
            if n > 1:
                add("19-004", f"{n} Notes share the ID <{note_id}>")
        for tag, n in bad_language.items():
            add("11-001", f"/Lang {tag!r} is not a valid BCP 47 tag ({n} elements)")
        if no_language:
            add("11-001", f"{no_language} elements hold text of no determinable language")

    def nesting(self, element: Element) -> None:
        standard = element.standard or ""
        parent = element.parent.standard if element.parent else None
        if standard in PARENTS:
            allowed, checkpoint = PARENTS[standard]
            if parent not in allowed:
                self.report.add(checkpoint, f"{element.type} ({standard}) is in {parent}")
        if standard in CHILDREN:
            allowed, checkpoint = CHILDREN[standard]
            for child in element.children:
                if child.standard not in allowed:
                    self.report.add(checkpoint, f"{standard} holds {child.type}")

    # --- page content: marked content, MCIDs in the tree, fonts used ---

    def page_content(self, number: int, page: pikepdf.Page) -> None:
        in_tree = set()
        parents = page.obj.get("/StructParents")
        if parents is not None and int(parents) in self.parent_tree:
            array = self.parent_tree[int(parents)]
            if isinstance(array, Array):
                in_tree = {i for i, elem in enumerate(array) if isinstance(elem, Dictionary)}
        mcids: list[int] = []
        try:
            instructions = pikepdf.parse_content_stream(page)
        except pikepdf.PdfError as error:
            self.report.add("01-005", f"page {number}: content stream unreadable: {error}")
            return
        self.content(f"page {number}", instructions, page.obj.get("/Resources"), [], mcids)
        missing = sorted(set(mcids) - in_tree)
        if missing:
            self.report.add(
                "01-005",
                f"page {number}: marked content MCID {missing[:5]} is in no structure element "
                f"of the parent tree ({len(missing)} MCIDs)",
            )

    def content(
        self,
        where: str,
        instructions: list,
        resources: pikepdf.Object | None,
        stack: list[str],
        mcids: list[int],
    ) -> None:
        """Walk one content stream; `stack` holds the marked content around it: "artifact",
        "mcid" (tagged) or "other" (marked, but neither: a bare /Span without an MCID)."""
        resources = resources if isinstance(resources, Dictionary) else Dictionary()
        font: Dictionary | None = None
        count = self.report.count
        for instruction in instructions:
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                if not ({"artifact", "mcid"} & set(stack)):
                    count("01-005", f"{where}: an inline image outside tagged or Artifact content")
                continue
            operands, operator = instruction.operands, str(instruction.operator)
            if operator in ("BMC", "BDC"):
                tag = name(operands[0])
                properties = operands[1] if operator == "BDC" else None
                if isinstance(properties, Name):  # a named property list of the resources
                    properties = resources.get("/Properties", Dictionary()).get(properties)
                if tag == "Artifact":
                    kind = "artifact"
                    if "mcid" in stack:
                        count("01-003", f"{where}: Artifact inside tagged content")
                elif isinstance(properties, Dictionary) and "/MCID" in properties:
                    kind = "mcid"
                    mcids.append(int(properties.get("/MCID")))
                    if "mcid" in stack:
                        count(
                            "ISO32000-1:14.7.4.2",
                            f"{where}: marked content (MCID) inside marked content with an MCID",
                        )
                    if "artifact" in stack:
                        count("01-004", f"{where}: tagged content (MCID) inside an Artifact")
                else:
                    kind = "other"
                stack.append(kind)
            elif operator == "EMC":
                if stack:
                    stack.pop()
            elif operator == "Tf":
                fonts = resources.get("/Font", Dictionary())
                font = fonts.get(operands[0]) if isinstance(fonts, Dictionary) else None
                if isinstance(font, Dictionary) and font.is_indirect:
                    self.fonts[key(font)] = font
            elif operator in TEXT_SHOWING:
                if not ({"artifact", "mcid"} & set(stack)):
                    count("01-005", f"{where}: text shown outside tagged or Artifact content")
                if font is not None and font.is_indirect:
                    self.codes[key(font)].update(character_codes(font, operands))
            elif operator in PAINTING:
                if not ({"artifact", "mcid"} & set(stack)):
                    count("01-005", f"{where}: a path painted outside tagged or Artifact content")
            elif operator == "Do":
                xobjects = resources.get("/XObject", Dictionary())
                xobject = xobjects.get(operands[0]) if isinstance(xobjects, Dictionary) else None
                if isinstance(xobject, Stream):
                    self.xobject(where, xobject, resources, stack)

    def xobject(self, where: str, xobject: Stream, resources: Dictionary, stack: list) -> None:
        subtype = name(xobject.get("/Subtype"))
        if subtype == "Image":
            if not ({"artifact", "mcid"} & set(stack)):
                self.report.count("01-005", f"{where}: an image outside tagged or Artifact content")
            return
        if subtype != "Form":
            return
        if "/Ref" in xobject:
            self.report.add("30-001", f"{where}: a reference XObject")
        self.form_uses[key(xobject)] += 1
        if self.form_uses[key(xobject)] > 1:
            return  # its content was walked at its first use
        mcids: list[int] = []
        self.content(
            f"{where}, Form XObject {xobject.objgen[0]}",
            pikepdf.parse_content_stream(xobject),
            xobject.get("/Resources", resources),
            list(stack),
            mcids,
        )
        if mcids:
            self.forms_with_mcids.add(key(xobject))

    # --- annotations ---

    def annotations(self, number: int, page: pikepdf.Page) -> None:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, Array) or len(annots) == 0:
            return
        add = self.report.add
        tabs = page.obj.get("/Tabs")
        if tabs is None:
            add("28-008", f"page {number} has annotations and no /Tabs")
        elif tabs != Name.S:
            add("28-009", f"page {number} has /Tabs {tabs}, not /S")
        for annot in annots:
            if not isinstance(annot, Dictionary):
                continue
            subtype = name(annot.get("/Subtype"))
            where = f"page {number}: a {subtype} annotation"
            if subtype not in ANNOTATION_TYPES:
                add("28-006", f"{where}: not a type ISO 32000-1 defines")
            if subtype == "TrapNet":
                add("28-007", f"{where}")
            parent, unlinked = self.annotation_parent(annot)
            standard = parent.standard if parent else None
            contents = str(annot.get("/Contents", "")).strip()
            alt = parent is not None and "/Alt" in parent.obj
            if subtype == "Link":
                if standard != "Link":
                    add("28-011", f"{where} is in no Link structure element: {unlinked}")
                if not contents:
                    add("28-012", f"{where} has no /Contents")
            elif subtype == "Widget":
                if standard != "Form":
                    add("28-010", f"{where} is in no Form structure element: {unlinked}")
                field_dict = annot if "/T" in annot else annot.get("/Parent", annot)
                if "/TU" not in field_dict and not alt:
                    add("28-005", f"{where}: a form field without TU or Alt")
            elif subtype not in ("PrinterMark", "Popup"):
                if standard != "Annot":
                    add("28-002", f"{where} is in no Annot structure element: {unlinked}")
                if not contents and not alt:
                    add("28-004", f"{where} has no Contents and no Alt")
            if contents and subtype != "Popup":
                language = (parent.language if parent else None) or self.document_language
                if not valid_language(language):
                    add("11-004", f"{where}: the language of its Contents is not determinable")
            if subtype == "Widget" and not valid_language(
                (parent.language if parent else None) or self.document_language
            ):
                add("11-005", f"{where}: the language of its TU is not determinable")

    def annotation_parent(self, annot: Dictionary) -> tuple[Element | None, str]:
        """The structure element that holds the annotation through an OBJR, found through
        its /StructParent in the parent tree (ISO 32000-1 14.7.4.4); else None and why."""
        index = annot.get("/StructParent")
        if index is None:
            return None, "it has no /StructParent"
        elem = self.parent_tree.get(int(index))
        element = self.by_object.get(key(elem)) if isinstance(elem, Dictionary) else None
        if element is None:
            return None, f"its /StructParent {index} names no structure element"
        for kid in kids(elem):
            target = kid.get("/Obj") if isinstance(kid, Dictionary) else None
            if (
                name(kid.get("/Type")) == "OBJR"
                and target is not None
                and (target.objgen == annot.objgen)
            ):
                return element, ""
        return None, f"its /StructParent {index} names a {element.type} with no OBJR to it"

    # --- fonts ---

    def font_checks(self) -> None:
        add = self.report.add
        for font_key, font in self.fonts.items():
            label = f"font {name(font.get('/BaseFont')) or font_key[0]}"
            subtype = name(font.get("/Subtype"))
            descendant = font.get("/DescendantFonts", [None])[0] if subtype == "Type0" else None
            descriptor = (descendant if descendant is not None else font).get("/FontDescriptor")
            if subtype != "Type3" and not (
                isinstance(descriptor, Dictionary)
                and any(f in descriptor for f in ("/FontFile", "/FontFile2", "/FontFile3"))
            ):
                add("31-009", f"{label} is not embedded")
            if subtype == "Type0" and isinstance(descendant, Dictionary):
                self.type0(label, font, descendant)
            to_unicode = font.get("/ToUnicode")
            mapping = None
            if isinstance(to_unicode, Stream):
                mapping = ToUnicode(to_unicode.read_bytes())
                if mapping.zero:
                    add("31-028", f"{label}: ToUnicode maps {mapping.zero} codes to U+0000")
                if mapping.bom:
                    add("31-029", f"{label}: ToUnicode maps {mapping.bom} codes to U+FEFF/FFFE")
            elif not exempt_from_to_unicode(font, descendant):
                add("31-027", f"{label} has no ToUnicode")
            codes = self.codes.get(font_key, set())
            if mapping is not None:
                unmapped = sorted(c for c in codes if mapping.get(c) is None)
                if unmapped:
                    shown = ", ".join(f"{c:#06x}" for c in unmapped[:5])
                    add("10-001", f"{label}: {len(unmapped)} codes shown map to nothing: {shown}")
            if identity_encoded(font) and 0 in codes:
                add("31-030", f"{label}: CID 0 (.notdef) is shown")

    def type0(self, label: str, font: Dictionary, descendant: Dictionary) -> None:
        add = self.report.add
        if name(descendant.get("/Subtype")) == "CIDFontType2":
            cid_to_gid = descendant.get("/CIDToGIDMap")
            if cid_to_gid is None:
                add("31-005", f"{label}: a Type 2 CIDFont without CIDToGIDMap")
            elif not (isinstance(cid_to_gid, Stream) or cid_to_gid == Name.Identity):
                add("31-004", f"{label}: CIDToGIDMap is {cid_to_gid}")
        encoding = font.get("/Encoding")
        if isinstance(encoding, Name):
            if name(encoding) not in PREDEFINED_CMAPS:
                add("31-006", f"{label}: CMap {encoding} is neither predefined nor embedded")
            return
        if not isinstance(encoding, Stream):
            add("31-006", f"{label}: no CMap")
            return
        used = encoding.get("/UseCMap")
        if isinstance(used, Name) and name(used) not in PREDEFINED_CMAPS:
            add("31-008", f"{label}: its CMap uses {used}, not a predefined CMap")
        declared = re.search(rb"/WMode\s+(\d)", encoding.read_bytes())
        if declared and int(declared.group(1)) != int(encoding.get("/WMode", 0)):
            add("31-007", f"{label}: the CMap's WMode differs from its dictionary's")
        cmap_info, font_info = encoding.get("/CIDSystemInfo"), descendant.get("/CIDSystemInfo")
        if isinstance(cmap_info, Dictionary) and isinstance(font_info, Dictionary):
            if str(cmap_info.get("/Registry")) != str(font_info.get("/Registry")):
                add("31-001", f"{label}: CIDSystemInfo Registry differs")
            if str(cmap_info.get("/Ordering")) != str(font_info.get("/Ordering")):
                add("31-002", f"{label}: CIDSystemInfo Ordering differs")
            if int(font_info.get("/Supplement", 0)) < int(cmap_info.get("/Supplement", 0)):
                add("31-003", f"{label}: the CIDFont's Supplement is below the CMap's")


def kids(obj: Dictionary) -> Iterator[pikepdf.Object]:
    """An element's /K as a list: one kid or an array of them."""
    k = obj.get("/K")
    if isinstance(k, Array):
        yield from k
    elif k is not None:
        yield k


def identity_encoded(font: Dictionary) -> bool:
    return name(font.get("/Subtype")) == "Type0" and font.get("/Encoding") in (
        Name("/Identity-H"),
        Name("/Identity-V"),
    )


def character_codes(font: Dictionary, operands: list) -> Iterator[int]:
    """The character codes a text-showing operator shows: two bytes each under Identity-H/V
    (what LuaTeX and XeTeX write), one byte in a simple font. Other CMaps are not split."""
    strings: list[bytes] = []
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            strings.append(bytes(operand))
        elif isinstance(operand, Array):
            strings += [bytes(item) for item in operand if isinstance(item, pikepdf.String)]
    if identity_encoded(font):
        for data in strings:
            yield from (int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2))
    elif name(font.get("/Subtype")) != "Type0":
        for data in strings:
            yield from data


def exempt_from_to_unicode(font: Dictionary, descendant: Dictionary | None) -> bool:
    """31-027's exceptions: a simple font in a standard encoding, a Type 0 font of a known
    CJK character collection, a non-symbolic TrueType font. (The Type 1/Type 3 exception by
    glyph names in the Adobe Glyph List is not checked: such a font is reported.)"""
    subtype = name(font.get("/Subtype"))
    encoding = font.get("/Encoding")
    if isinstance(encoding, Dictionary):
        encoding = encoding.get("/BaseEncoding")
    standard = name(encoding) in ("MacRomanEncoding", "MacExpertEncoding", "WinAnsiEncoding")
    if subtype in ("Type1", "MMType1", "TrueType", "Type3") and standard:
        return True
    if subtype == "TrueType":
        flags = int(font.get("/FontDescriptor", Dictionary()).get("/Flags", 0))
        return not flags & 4  # bit 3: symbolic
    if subtype == "Type0" and isinstance(descendant, Dictionary):
        info = descendant.get("/CIDSystemInfo", Dictionary())
        return str(info.get("/Registry")) == "Adobe" and str(info.get("/Ordering")) in (
            KNOWN_COLLECTIONS
        )
    return False


class ToUnicode:
    """A ToUnicode CMap's code → text mapping (bfchar and bfrange, ISO 32000-1 9.10.3)."""

    def __init__(self, data: bytes) -> None:
        text = data.decode("latin-1")
        self.chars: dict[int, str] = {}
        self.ranges: list[tuple[int, int, object]] = []
        hexes = r"<([0-9A-Fa-f]*)>"
        for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
            for source, target in re.findall(hexes + r"\s*" + hexes, block):
                self.chars[int(source, 16)] = utf16(target)
        for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
            pattern = hexes + r"\s*" + hexes + r"\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])"
            for low, high, target in re.findall(pattern, block):
                if target.startswith("["):
                    targets = [utf16(t) for t in re.findall(hexes, target)]
                    self.ranges.append((int(low, 16), int(high, 16), targets))
                else:
                    self.ranges.append((int(low, 16), int(high, 16), target[1:-1]))
        values = list(self.chars.values())
        for low, high, target in self.ranges:
            if isinstance(target, list):
                values += target
            else:
                values += [self.get(code) or "" for code in range(low, min(high, low + 255) + 1)]
        self.zero = sum("\x00" in v for v in values)
        self.bom = sum(("\ufeff" in v or "\ufffe" in v) for v in values)

    def get(self, code: int) -> str | None:
        if code in self.chars:
            return self.chars[code]
        for low, high, target in self.ranges:
            if low <= code <= high:
                if isinstance(target, list):
                    return target[code - low] if code - low < len(target) else None
                start = int(target, 16) + code - low  # the last byte counts up
                return utf16(f"{start:0{len(target)}x}")
        return None


def utf16(hex_text: str) -> str:
    return bytes.fromhex(hex_text).decode("utf-16-be", "replace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path, metavar="FILE.pdf")
    parser.add_argument("--list", action="store_true", help="what is checked, what needs a person")
    args = parser.parse_args(argv)
    if args.list:
        print("Checked here (Matterhorn Protocol failure conditions):")
        for checkpoint, what in CHECKED.items():
            print(f"  {checkpoint:10} {what}")
        print("For a person to judge:")
        for checkpoint, what in NEEDS_A_PERSON.items():
            print(f"  {checkpoint:10} {what}")
        return 0
    if not args.pdfs:
        parser.error("name a PDF (or --list)")
    failed = False
    for pdf in args.pdfs:
        failures = check(pdf)
        for failure in failures:
            print(f"{pdf}: {failure}")
        if not failures:
            print(f"{pdf}: no failure of the checks here (python -m book.pdf_ua --list)")
        failed = failed or bool(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
