"""Phrases of a Japanese or Chinese title: where a line of a heading may break.

Japanese and Chinese are written without spaces, so a browser or TeX may break a line between
any two characters: a heading then ends one line with 「可」 and starts the next with 「能性」.
Books break headings between phrases (文節) instead. BudouX (Google's phrase segmenter, the
model Chromium's `word-break: auto-phrase` uses) finds them; its models split some names
(习近平 → 习近 | 平访), so a name or term of the glossary (locale/glossary.toml) is kept whole:
a boundary inside one is dropped, and the term's own edges become boundaries instead.

A phrase of BudouX may hold a comma, colon or question mark (訪ロ：中国は): after such
punctuation a line may break too (JIS X 4051; the browser breaks there in any case).

A boundary between two characters that are not East Asian wide (inside "IDE", "News") is
dropped too: Latin words break at their spaces, as they always do. Nor is a last line of one
character made (中国的立场与习近平访俄的可能 | 性: BudouX's Chinese model cuts words, not
phrases): the last boundary goes when a single character follows it.

Used by book.sphinxext.phrase_breaks (headings in HTML, EPUB and LaTeX) and
book.sphinxext.language_settings (the book's title on the PDF's title page).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from book import translations

# The editions whose language BudouX has a model for, and that model's loader.
MODELS: dict[str, str] = {
    "ja": "load_default_japanese_parser",
    "zh_CN": "load_default_simplified_chinese_parser",
}


def has_model(tag: str) -> bool:
    return tag in MODELS


@functools.cache
def _parser(tag: str) -> Callable[[str], list[str]]:
    import budoux

    return getattr(budoux, MODELS[tag])().parse


@functools.cache
def terms(tag: str) -> tuple[str, ...]:
    """The glossary's names and terms in this language, longest first."""
    found = {str(t[tag]) for t in translations.glossary() if t.get(tag)}
    return tuple(sorted(found, key=len, reverse=True))


# Punctuation after which a Japanese or Chinese line may break.
BREAK_AFTER = set("、。，．：；？！）」』】〕〉》")


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in {"W", "F"}


def boundaries(text: str, tag: str) -> list[int]:
    """The offsets (0 < i < len(text)) where a line of `text` may break between phrases."""
    if not text.strip():
        return []
    cuts, offset = set(), 0
    for phrase in _parser(tag)(text)[:-1]:
        offset += len(phrase)
        cuts.add(offset)
    cuts |= {i + 1 for i, char in enumerate(text) if char in BREAK_AFTER}
    for term in terms(tag):
        for match in re.finditer(re.escape(term), text):
            start, end = match.span()
            inside = {c for c in cuts if start < c < end}
            if inside:
                cuts -= inside
                cuts |= {start, end}
    kept = sorted(
        c
        for c in cuts
        if 0 < c < len(text)
        and not text[c - 1].isspace()
        and not text[c].isspace()
        and (_wide(text[c - 1]) or _wide(text[c]))
    )
    if kept and len(text.rstrip()) - kept[-1] == 1:
        kept.pop()
    return kept


def split(text: str, tag: str) -> list[str]:
    """`text` cut into its phrases (one piece where there is nothing to cut)."""
    pieces, last = [], 0
    for cut in boundaries(text, tag):
        pieces.append(text[last:cut])
        last = cut
    pieces.append(text[last:])
    return pieces


def _box(piece: str) -> str:
    """A phrase in a box, its closing punctuation after the box: the engine (luatexja, xeCJK)
    then still spaces 、：」 against the next phrase, as it does inside a line."""
    body = piece.rstrip("".join(BREAK_AFTER))
    return rf"\mbox{{{body}}}{piece[len(body) :]}" if body else piece


def latex(escaped_pieces: list[str]) -> str:
    """LaTeX of a title's phrases (each already escaped): no break inside a phrase (a box),
    a break allowed between two (a closing punctuation mark is no break, TeX keeps it at the
    end of its line); the PDF's bookmarks get the plain text (hyperref's
    \\texorpdfstring), and a single phrase is left as it is."""
    if len(escaped_pieces) < 2:
        return "".join(escaped_pieces)
    boxes = r"\allowbreak".join(_box(p) for p in escaped_pieces)
    return rf"\texorpdfstring{{{boxes}}}{{{''.join(escaped_pieces)}}}"
