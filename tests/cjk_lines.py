"""Where a Japanese or Chinese element's lines break in Chromium, and where they may.

Shared by the tests that measure headings and titles (tests/test_cjk_typography.py, the HTML
pages; tests/test_vertical_epub.py, the vertical EPUB's columns). The breaks allowed come from
outside the book's code: BudouX's phrases (the segmenter itself), the glossary's terms each
counting as one, JIS X 4051's punctuation, and white space. Where the lines break is Chromium's
layout: the line box of every character, from Range.getClientRects.
"""

from __future__ import annotations

import re

import budoux

from book import translations

PARSERS = {
    "ja": budoux.load_default_japanese_parser(),
    "zh_CN": budoux.load_default_simplified_chinese_parser(),
}
BREAK_AFTER = set("、。，．：；？！）」』】〕〉》")

# Lines follow each other down the page in horizontal text, and right to left in vertical-rl
# (a line is then a column).
HORIZONTAL = "horizontal-tb"
VERTICAL_RL = "vertical-rl"

# For every character of an element's text (the headerlink left out), where its line box lies
# along the block axis, growing from one line to the next: the top of the character's box in
# horizontal text; in vertical-rl text, the middle of its box measured leftwards (a 縦中横
# number is narrower than its column, but centred in it).
LINES_JS = """
(element, mode) => {
  const positions = [];
  const text = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement.closest('.headerlink, .print-url') ?
      NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      text.push(node.data[i]);
      const r = rects[0];
      positions.push(!r ? null : mode === 'vertical-rl' ? -(r.left + r.right) / 2 : r.top);
    }
  }
  return {text: text.join(''), positions, mode: getComputedStyle(element).writingMode};
}
"""


def allowed_breaks(text: str, tag: str) -> set[int]:
    """Offsets where a line may break: between BudouX's phrases, after a comma, colon,
    question mark or closing bracket (JIS X 4051), at a glossary term's edges but never
    inside one, and at white space."""
    cuts, offset = set(), 0
    for phrase in PARSERS[tag].parse(text):
        offset += len(phrase)
        cuts.add(offset)
    cuts |= {i + 1 for i, ch in enumerate(text) if ch in BREAK_AFTER}
    for term in translations.glossary():
        name = str(term.get(tag) or "")
        for match in re.finditer(re.escape(name), text) if name else []:
            start, end = match.span()
            cuts = {c for c in cuts if not start < c < end} | {start, end}
    cuts |= {i for i, ch in enumerate(text) if ch.isspace()}
    cuts |= {i + 1 for i, ch in enumerate(text) if ch.isspace()}
    return cuts


def line_breaks(positions: list[float | None]) -> list[int]:
    """Offsets i where character i starts a new line (its line further along the block axis
    than the previous character's)."""
    breaks, last = [], None
    for i, position in enumerate(positions):
        if position is None:
            continue
        if last is not None and position > last + 2:
            breaks.append(i)
        last = position
    return breaks


def measure(element, mode: str = HORIZONTAL) -> tuple[str, list[int], str]:
    """An element's text (a Playwright ElementHandle), the offsets where Chromium broke its
    lines, measured along the block axis of writing mode `mode`, and the writing mode
    Chromium computed for it (the caller checks that it is the one measured)."""
    found = element.evaluate(LINES_JS, mode)
    return found["text"], line_breaks(found["positions"]), found["mode"]


def bad_breaks(text: str, breaks: list[int], tag: str) -> list[str]:
    """The breaks that fall inside a phrase, each shown as `before | after`."""
    allowed = allowed_breaks(text, tag)
    return [f"{text[:i]} | {text[i:]}" for i in breaks if i not in allowed]
