"""The EPUBs' stylesheets use only CSS that EPUB reading systems understand.

book.css reads furo's custom properties in the HTML (its light and dark modes); the EPUB gets
a copy with every var() resolved (book.sphinxext.epub_css). For every stylesheet of every
EPUB, the vertical one too, and the `<style>` elements and `style` attributes of its documents: no
custom property is set (`--name: …`, `@property`) or read (`var()`), tinycss2 (CSS Syntax
Level 3) finds no parse error, and calibre's own CSS parser (css_parser, which `ebook-convert`
runs on the way to a Kindle, tests/test_kindle.py) reports nothing. A copy of an EPUB with
such CSS put back shows that each check catches what it looks for.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import tinycss2
from conftest import DOCS, LANGUAGES, OPF, epub_file, epub_package, languages
from lxml import etree

from book import layout
from book.sphinxext import epub_css

VERTICAL = [lang.tag for lang in languages.published_languages() if lang.vertical_epub]
# Every EPUB the build publishes: one per language, and the vertical (縦書き) ones.
EDITIONS = [*LANGUAGES, *(f"{tag}-vertical" for tag in VERTICAL)]
XHTML = "{http://www.w3.org/1999/xhtml}"

# At-rules whose block holds rules; the others' blocks (@page, @font-face) hold declarations.
RULE_LISTS = {"media", "supports", "layer", "container", "document", "scope"}


@pytest.fixture(scope="module", params=EDITIONS)
def edition(request: pytest.FixtureRequest) -> str:
    return request.param


def epub_css_of(epub: Path) -> dict[str, tuple[str, str]]:
    """Every piece of CSS in an EPUB, by where it is: (kind, text), kind "sheet" for a style
    sheet (a .css file, a manifest item of type text/css, a <style> element) and
    "declarations" for a style attribute."""
    found: dict[str, tuple[str, str]] = {}
    with zipfile.ZipFile(epub) as book:
        opf_path, opf = epub_package(book)
        folder = posixpath.dirname(opf_path)
        sheets = {n for n in book.namelist() if n.lower().endswith(".css")}
        sheets |= {
            posixpath.join(folder, item.get("href"))
            for item in opf.iterfind(".//opf:item", OPF)
            if item.get("media-type") == "text/css"
        }
        for name in sorted(sheets):
            found[name] = ("sheet", book.read(name).decode("utf-8"))
        for name in book.namelist():
            if name.endswith((".xhtml", ".html")):
                document = etree.fromstring(book.read(name))
                for number, style in enumerate(document.iter(f"{XHTML}style")):
                    found[f"{name} <style> {number + 1}"] = ("sheet", style.text or "")
                for element in document.xpath("//*[@style]"):
                    where = f"{name}:{element.sourceline} style attribute"
                    found[where] = ("declarations", element.get("style"))
    return found


def css_findings(where: str, kind: str, text: str) -> list[str]:
    """Custom properties set or read, and parse errors, as tinycss2 reads the CSS."""
    findings: list[str] = []

    def values(tokens) -> None:
        for token in tokens:
            if token.type == "error":
                findings.append(f"{where}:{token.source_line}: parse error: {token.message}")
            elif token.type == "function" and token.lower_name == "var":
                findings.append(f"{where}:{token.source_line}: reads {token.serialize()}")
            if token.type == "function":
                values(token.arguments)
            elif token.type in ("() block", "[] block", "{} block"):
                values(token.content)

    def items(nodes) -> None:
        for node in nodes:
            if node.type == "error":
                findings.append(f"{where}:{node.source_line}: parse error: {node.message}")
            elif node.type == "declaration":
                if node.name.startswith("--"):
                    findings.append(f"{where}:{node.source_line}: sets {node.name}")
                values(node.value)
            elif node.type == "at-rule" and node.lower_at_keyword == "property":
                findings.append(f"{where}:{node.source_line}: registers a custom property")
            elif node.type in ("qualified-rule", "at-rule"):
                values(node.prelude)
                if node.content is None:
                    continue
                if node.type == "at-rule" and node.lower_at_keyword in RULE_LISTS:
                    items(tinycss2.parse_rule_list(node.content, True, True))
                else:
                    items(tinycss2.parse_blocks_contents(node.content, True, True))

    if kind == "sheet":
        items(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))
    else:
        items(tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True))
    return findings


def all_findings(epub: Path) -> list[str]:
    return [
        finding
        for where, (kind, text) in epub_css_of(epub).items()
        for finding in css_findings(where, kind, text)
    ]


# Run by calibre's interpreter (calibre-debug), with its css_parser, as calibre parses the
# EPUB's CSS (calibre.ebooks.oeb.base: no validation, errors logged, not raised).
CALIBRE_CSS_CHECK = """
import logging, sys
import css_parser

class Report(logging.Handler):
    def emit(self, record):
        print(f"{self.sheet}: {record.getMessage()}")

report = Report(logging.WARNING)
log = logging.getLogger("book-css-check")
log.addHandler(report)
log.propagate = False
parser = css_parser.CSSParser(
    log=log, loglevel=logging.WARNING, raiseExceptions=False, validate=False
)
for path in sys.argv[1:]:
    report.sheet = path
    parser.parseFile(path, encoding="utf-8")
"""


def calibre(tool: str, *args: str, config: Path, cwd: Path | None = None) -> str:
    """Run a calibre command; its output. `config` is its own settings folder, so that no
    one's calibre preferences or plugins take part, and no test run changes them. calibre's
    converters need no display; offscreen keeps a desktop session's display out of it."""
    command = shutil.which(tool)
    if not command:
        pytest.fail(f"{tool} is missing: `make test` installs it (Debian package calibre)")
    env = {**os.environ, "CALIBRE_CONFIG_DIRECTORY": str(config), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [command, *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    return output


def calibre_css_messages(epub: Path, folder: Path) -> list[str]:
    """What calibre's CSS parser reports on each style sheet file of the EPUB."""
    unpacked = folder / "epub"
    with zipfile.ZipFile(epub) as book:
        book.extractall(unpacked)
    sheets = sorted(str(p.relative_to(unpacked)) for p in unpacked.rglob("*.css"))
    assert sheets
    config = folder / "calibre-config"
    output = calibre("calibre-debug", "-c", CALIBRE_CSS_CHECK, *sheets, config=config, cwd=unpacked)
    return output.splitlines()


def epub_with_css(epub: Path, target: Path, extra: str, sheet: str = "_static/book.css") -> Path:
    """A copy of an EPUB with CSS added to one of its style sheets."""
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(target, "w") as copy:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == sheet:
                data += extra.encode("utf-8")
            copy.writestr(entry, data)
    return target


# What EPUB reading systems do not all understand, and what does not parse.
BAD_CSS = """
div.qa { color: var(--color-brand-primary, #2962ff); --color-spare: #000; }
div.commentary { content: "a string with no end
}
"""


def test_every_epub_has_its_stylesheets_checked(edition: str) -> None:
    css = epub_css_of(epub_file(edition))
    assert {"_static/book.css", "_static/book-epub.css", "_static/epub.css"} <= set(css)


def test_no_stylesheet_sets_or_reads_a_custom_property(edition: str) -> None:
    findings = all_findings(epub_file(edition))
    assert [f for f in findings if "parse error" not in f] == []


def test_every_stylesheet_parses_without_error(edition: str) -> None:
    findings = all_findings(epub_file(edition))
    assert [f for f in findings if "parse error" in f] == []


def test_calibres_css_parser_reports_nothing(edition: str, tmp_path: Path) -> None:
    assert calibre_css_messages(epub_file(edition), tmp_path) == []


def test_the_checks_catch_custom_properties_and_parse_errors(tmp_path: Path) -> None:
    bad = epub_with_css(epub_file(LANGUAGES[0]), tmp_path / "bad.epub", BAD_CSS)
    findings = all_findings(bad)
    assert any("reads var(--color-brand-primary" in f for f in findings), findings
    assert any("sets --color-spare" in f for f in findings), findings
    assert any("parse error: Bad string" in f for f in findings), findings
    messages = calibre_css_messages(bad, tmp_path / "bad")
    assert any("Syntax Error in Property: color: var(--color-brand" in m for m in messages)


def test_the_html_keeps_the_custom_properties_of_book_css() -> None:
    """The rewriting is the EPUB's alone: the site serves book.css as written."""
    source = (DOCS / "_static" / "book.css").read_bytes()
    assert b"var(--" in source
    for tag in LANGUAGES:
        assert (layout.SITE / tag / "_static" / "book.css").read_bytes() == source


# -- book.sphinxext.epub_css, the rewriting itself -------------------------------------------


def resolved(css: str, *others: str) -> tuple[str, list[str]]:
    sheets = {"a.css": css, **{f"other{n}.css": text for n, text in enumerate(others)}}
    rewritten, problems = epub_css.resolve_stylesheets(sheets)
    return rewritten.get("a.css", css), problems


def test_a_var_becomes_its_fallback_where_the_epub_does_not_set_it() -> None:
    css = "div {\n  border: 1px solid var(--line, #c8c8c8);\n  color: var(--a, var(--b, red));\n}"
    assert resolved(css) == ("div {\n  border: 1px solid #c8c8c8;\n  color: red;\n}", [])


def test_a_var_becomes_the_value_set_on_root() -> None:
    text, problems = resolved("p { color: var(--ink, red) }", ":root { --ink: #333; }")
    assert (text, problems) == ("p { color: #333; }", [])
    # The rule that set it is left without declarations, and goes.
    root_only = {"r.css": ":root { --ink: #333; }\n"}
    assert epub_css.resolve_stylesheets(root_only) == ({"r.css": "\n"}, [])


def test_custom_property_declarations_and_dark_mode_are_dropped() -> None:
    css = (
        "/* kept */\n.k {\n  --title: #2e7d32;\n  border-left-color: #2e7d32;\n}\n"
        ".only { --x: 1px; }\n"
        "@media (prefers-color-scheme: dark) { .k { border-left-color: #fff; } }\n"
        "@media print { .k { --y: 0; color: #000; } }\n"
    )
    kept = "/* kept */\n.k {\n  border-left-color: #2e7d32;\n}\n"
    assert resolved(css) == (kept + "@media print { .k { color: #000; } }\n", [])


def test_a_stylesheet_without_custom_properties_is_left_as_it_is() -> None:
    css = "/* a comment */\ndiv{color:red}  p { margin : 0 }\n"
    assert epub_css.resolve_stylesheets({"a.css": css}) == ({}, [])


@pytest.mark.parametrize(
    ("css", "problem"),
    [
        ("p { color: var(--nothing) }", "has no value and no fallback"),
        (".k { --t: red } p { color: var(--t, blue) }", "is set on elements other than :root"),
        (":root { --a: var(--b); --b: var(--a) } p { color: var(--a) }", "cannot resolve"),
        ('p { content: "no end\n}', "Bad string"),
    ],
)
def test_what_cannot_be_resolved_is_reported(css: str, problem: str) -> None:
    _, problems = resolved(css)
    assert any(problem in p for p in problems), problems
