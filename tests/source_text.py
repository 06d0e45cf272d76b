"""The original article (tests/fixtures/source-ja.txt) read as the book's source of truth.

The book turns the web page's furniture into book structure (see README, "From article to
book"); this module names that furniture once, so every test applies the same reading:

- `💡 ` opens a key point, `✅ ` a line of a source summary: markers, not text;
- `さらに読む ⇒…出典/画像元: <URL>` is a link card: it becomes a citation of <URL>, and any
  text after the URL on that line is a commentary line;
- `次のページを読む ⇒` announces the next part, whose title is the following line.

Typographic normalisation, the only change the book makes to the wording: ASCII `:`, `?`
and `!` in Japanese running text are set full-width (：？！).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "source-ja.txt"

KEY_POINT = "💡"
SUMMARY = "✅"
LINK_CARD = re.compile(r"^さらに読む\s*⇒(?P<site>.*?)出典/画像元:\s*(?P<url>https?://[\x21-\x7e]+)")
NEXT_PAGE = re.compile(r"^次のページを読む\s*⇒\s*$")
COMMENTARY_OPENINGS = ("なるほど、", "確かに、")
FULL_WIDTH = str.maketrans({":": "：", "?": "？", "!": "！"})
SENTENCE_END = re.compile(r"(?<=[。！？])")
WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The typographic normalisation the book applies to the original's wording."""
    return text.translate(FULL_WIDTH)


def squash(text: str) -> str:
    """Text without any white space: Japanese has none, and PDF/HTML add line breaks."""
    return WHITESPACE.sub("", text)


@dataclass
class SummaryBlock:
    lines: list[str]
    url: str = ""
    site: str = ""


@dataclass
class Article:
    title: str
    lead: str
    key_points: list[str]
    lines: list[str]  # every line of text that reaches the reader, normalised
    summaries: list[SummaryBlock] = field(default_factory=list)
    commentary: list[str] = field(default_factory=list)
    next_part: str = ""
    urls: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        """Every sentence of the original, normalised; a line without 。！？ is one unit."""
        return [s for line in self.lines for s in SENTENCE_END.split(line) if s.strip()]

    def question_and_answer_after(self, heading: str) -> tuple[str, str]:
        """The two lines that follow a chapter heading: its question and short answer."""
        index = self.lines.index(heading)
        return self.lines[index + 1], self.lines[index + 2]


def read_article(path: Path = FIXTURE) -> Article:
    raw = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    raw = [line for line in raw if line]
    article = Article(title=normalise(raw[0]), lead=normalise(raw[1]), key_points=[], lines=[])
    block: SummaryBlock | None = None
    after_next_page = False
    for line in raw:
        if line.startswith(SUMMARY):
            if block is None:
                block = SummaryBlock(lines=[])
                article.summaries.append(block)
            block.lines.append(normalise(line.removeprefix(SUMMARY).strip()))
            article.lines.append(block.lines[-1])
            continue
        card = LINK_CARD.match(line)
        if card:
            if block is not None:
                block.url, block.site = card["url"], card["site"].strip()
            block = None
            article.urls.append(card["url"])
            rest = normalise(line[card.end() :].strip())
            if rest:
                article.commentary.append(rest)
                article.lines.append(rest)
            continue
        if NEXT_PAGE.match(line):
            after_next_page = True
            continue
        text = normalise(line)
        if line.startswith(KEY_POINT):
            text = normalise(line.removeprefix(KEY_POINT).strip())
            article.key_points.append(text)
        elif line.startswith(COMMENTARY_OPENINGS):
            article.commentary.append(text)
        elif after_next_page:
            article.next_part = text
        article.lines.append(text)
    return article
