"""Sphinx extension: the EPUB's stylesheets carry no CSS custom properties.

book.css styles the book's elements for the HTML (furo) and the EPUB. In the HTML its colours
and spacings come from furo's custom properties, `var(--color-brand-primary, #2962ff)`, so
that light and dark modes both work; the value after the comma is the fallback, which is what
an EPUB reading system that understands custom properties computes, since the EPUB has no
furo to define them. Custom properties came to CSS after the EPUB 3.0 CSS profile, and not
every reading system understands them: calibre's CSS parser — through which the book reaches
a Kindle as AZW3 (`ebook-convert`) — reports each var() as a syntax error (11 a book) and
drops the declaration, which lost the Q&A frame, its background and colours, and the
commentary's rule and colour.

So the EPUB builder writes its copy of each stylesheet of `_static/` resolved, from the one
source (docs/_static/book.css stays as it is, and so does the HTML site):

- `var(--name, fallback)` becomes the custom property's value where the EPUB's stylesheets
  set `--name` on `:root` or `html` alone, otherwise its fallback: in both cases what a
  browser computes for it in the EPUB. A var() that cannot be resolved so (no fallback and
  no such value, or `--name` also set on other elements, where its value depends on the
  element) is reported as a warning, which fails the build (-W);
- declarations of custom properties (`--name: value`) are dropped: once every var() is
  resolved, nothing in the EPUB reads them (book.css sets furo's admonition colours so);
- `@media (prefers-color-scheme: dark)` rules are dropped: the EPUB has the light appearance
  only, and a reading system applies its own night mode;
- a rule left without declarations is dropped.

A stylesheet without any of these is left byte for byte as it is; the rest keeps its comments
and white space. The CSS is read by tinycss2 (CSS Syntax Level 3, as browsers tokenize; a
small pure-Python package of the WeasyPrint authors) rather than by patterns: var() nests,
and strings, comments and escapes can hold `var(`, `;` or `}`. tests/test_epub_css.py checks
every stylesheet of every EPUB; tests/test_kindle.py converts the EPUBs with calibre.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import tinycss2
from sphinx.util import logging
from tinycss2 import ast

logger = logging.getLogger(__name__)

# At-rules whose block holds rules (the others, such as @page and @font-face, declarations).
RULE_LIST_AT_RULES = {"media", "supports", "layer", "container", "document", "scope"}
ROOT_SELECTORS = {":root", "html"}


def is_custom_property(name: str) -> bool:
    return name.startswith("--")


def _is_dark_scheme(rule: ast.AtRule) -> bool:
    prelude = tinycss2.serialize(rule.prelude).lower().replace(" ", "")
    return rule.lower_at_keyword == "media" and "prefers-color-scheme:dark" in prelude


def _block_items(rule: ast.QualifiedRule | ast.AtRule) -> list[ast.Node]:
    if isinstance(rule, ast.AtRule) and rule.lower_at_keyword in RULE_LIST_AT_RULES:
        return tinycss2.parse_rule_list(rule.content, skip_comments=False, skip_whitespace=False)
    return tinycss2.parse_blocks_contents(rule.content, skip_comments=False, skip_whitespace=False)


class Resolver:
    """The custom properties of a set of stylesheets that apply together, and their uses."""

    def __init__(self) -> None:
        self.root_values: dict[str, list[ast.Node]] = {}
        self.set_elsewhere: set[str] = set()
        self.problems: list[str] = []

    # -- reading: where each custom property is set ---------------------------------------
    def collect(self, nodes: Iterable[ast.Node], selector: str = "") -> None:
        for node in nodes:
            if isinstance(node, ast.AtRule) and node.content is not None:
                if not _is_dark_scheme(node):
                    self.collect(_block_items(node), selector)
            elif isinstance(node, ast.QualifiedRule):
                prelude = tinycss2.serialize(node.prelude).strip().lower()
                self.collect(_block_items(node), prelude)
            elif isinstance(node, ast.Declaration) and is_custom_property(node.name):
                if selector in ROOT_SELECTORS and not node.important:  # else: per element
                    self.root_values[node.name] = node.value
                else:
                    self.set_elsewhere.add(node.name)

    # -- writing: every var() replaced, every custom property dropped ---------------------
    def rules(self, nodes: list[ast.Node], where: str) -> tuple[list[ast.Node], bool]:
        """A rule list (a stylesheet, a @media block) without custom properties."""
        out: list[ast.Node] = []
        changed = False
        for node in nodes:
            kept, node_changed = self.rule(node, where)
            changed |= node_changed
            if kept is None:
                _drop_trailing_whitespace(out)
            else:
                out.append(kept)
        return out, changed

    def rule(self, node: ast.Node, where: str) -> tuple[ast.Node | None, bool]:
        """A node of a rule list as it stays (None: dropped), and whether it changed."""
        if isinstance(node, ast.ParseError):
            self.problems.append(f"{where}:{node.source_line}: {node.message}")
        if not isinstance(node, ast.QualifiedRule | ast.AtRule) or node.content is None:
            return node, False
        if isinstance(node, ast.AtRule) and _is_dark_scheme(node):
            return None, True
        items = _block_items(node)
        if isinstance(node, ast.AtRule) and node.lower_at_keyword in RULE_LIST_AT_RULES:
            content, changed = self.rules(items, where)
        else:
            content, changed = self.declarations(items, where)
        if not changed:
            return node, False
        if all(isinstance(item, _BLANK) for item in content):
            return None, True
        node.content = content
        return node, True

    def declarations(self, items: list[ast.Node], where: str) -> tuple[list[ast.Node], bool]:
        """A block's declarations (and nested rules) without custom properties."""
        out: list[ast.Node] = []
        changed = False
        for item in items:
            if isinstance(item, ast.Declaration):
                if is_custom_property(item.name):
                    changed = True
                    _drop_trailing_whitespace(out)
                    continue
                value, value_changed = self.values(item.value, where, item.source_line)
                changed |= value_changed
                # The serializer ends each declaration with ";": white space after the value
                # goes after that, as in `color: red; }`.
                core = _strip_end(value)
                item.value = core
                out.append(item)
                out += value[len(core) :]
                continue
            kept, item_changed = self.rule(item, where)
            changed |= item_changed
            if kept is None:
                _drop_trailing_whitespace(out)
            else:
                out.append(kept)
        return out, changed

    def values(
        self, tokens: list[ast.Node], where: str, line: int, seen: tuple[str, ...] = ()
    ) -> tuple[list[ast.Node], bool]:
        """Component values with each var() replaced by what it resolves to."""
        out: list[ast.Node] = []
        changed = False
        for token in tokens:
            if isinstance(token, ast.FunctionBlock) and token.lower_name == "var":
                out += self.resolve(token, where, line, seen)
                changed = True
                continue
            if isinstance(token, ast.ParseError):
                self.problems.append(f"{where}:{token.source_line}: {token.message}")
            field = "arguments" if isinstance(token, ast.FunctionBlock) else "content"
            if isinstance(token, _NESTED):
                inner, inner_changed = self.values(getattr(token, field), where, line, seen)
                if inner_changed:
                    changed = True
                    setattr(token, field, inner)
            out.append(token)
        return out, changed

    def resolve(
        self, var: ast.FunctionBlock, where: str, line: int, seen: tuple[str, ...]
    ) -> list[ast.Node]:
        arguments = list(var.arguments)
        name_tokens = [t for t in arguments if not isinstance(t, _BLANK)]
        name = name_tokens[0].value if name_tokens and name_tokens[0].type == "ident" else ""
        comma = next(
            (i for i, t in enumerate(arguments) if t.type == "literal" and t.value == ","), None
        )
        fallback = None if comma is None else _strip(arguments[comma + 1 :])
        source = tinycss2.serialize([var])
        if not is_custom_property(name) or name in seen:
            self.problems.append(f"{where}:{line}: cannot resolve {source}")
            return [var]
        if name in self.set_elsewhere:
            self.problems.append(
                f"{where}:{line}: {source}: {name} is set on elements other than :root, so "
                "its value depends on the element; set it on :root only, or use a plain value"
            )
            return [var]
        value = self.root_values.get(name, fallback)
        if value is None:
            self.problems.append(f"{where}:{line}: {source} has no value and no fallback")
            return [var]
        resolved, _ = self.values(_strip(value), where, line, (*seen, name))
        return resolved


_BLANK = (ast.WhitespaceToken, ast.Comment)
_NESTED = (ast.FunctionBlock, ast.ParenthesesBlock, ast.SquareBracketsBlock, ast.CurlyBracketsBlock)


def _strip(tokens: list[ast.Node]) -> list[ast.Node]:
    tokens = list(tokens)
    while tokens and isinstance(tokens[0], _BLANK):
        tokens.pop(0)
    while tokens and isinstance(tokens[-1], _BLANK):
        tokens.pop()
    return tokens


def _strip_end(tokens: list[ast.Node]) -> list[ast.Node]:
    end = len(tokens)
    while end and isinstance(tokens[end - 1], ast.WhitespaceToken):
        end -= 1
    return tokens[:end]


def _drop_trailing_whitespace(nodes: list[ast.Node]) -> None:
    """The line break and indentation before a dropped declaration or rule go with it."""
    if nodes and isinstance(nodes[-1], ast.WhitespaceToken):
        nodes.pop()


def resolve_stylesheets(sheets: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The stylesheets (by name) that change, rewritten without custom properties, and the
    problems found (each `name:line: message`). The sheets are taken to apply together."""
    parsed = {
        name: tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=False)
        for name, text in sheets.items()
    }
    resolver = Resolver()
    for nodes in parsed.values():
        resolver.collect(nodes)
    rewritten = {}
    for name, nodes in parsed.items():
        out, changed = resolver.rules(nodes, name)
        if changed:
            rewritten[name] = tinycss2.serialize(out)
    return rewritten, resolver.problems


def resolve_epub_stylesheets(static_dir: Path) -> None:
    """Every stylesheet of an EPUB's _static/ folder, rewritten without custom properties
    (called by the book's EPUB builder, book.sphinxext.epub_builder)."""
    paths = sorted(static_dir.rglob("*.css"))
    sheets = {p.relative_to(static_dir.parent).as_posix(): p.read_text("utf-8") for p in paths}
    rewritten, problems = resolve_stylesheets(sheets)
    for problem in problems:
        logger.warning("EPUB stylesheet %s", problem, type="epub_css", subtype="var")
    for name, text in rewritten.items():
        (static_dir.parent / name).write_text(text, encoding="utf-8")
