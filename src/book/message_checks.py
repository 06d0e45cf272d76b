"""The checks of one translated message: does the msgstr carry the same facts and the same
markup as its Japanese msgid, and nothing that could deceive a reader or reach their browser?

Not a command: `make check-catalogs` (book.catalogs) runs these on every entry of every
catalog, and the build runs them again inside Sphinx (book.sphinxext.catalog_guard), so that a
message that fails them never reaches a reader even when the catalog check was skipped.

- Markup (`markup_problems`): the constructs of a message, as MyST itself parses it (the
  markdown-it parser and configuration of myst-parser, with the book's syntax from
  `myst_syntax.py`): links and their targets in every syntax (inline, reference-style,
  autolinks), images, roles and their targets, inline code, footnotes, emphasis, spans and
  their attributes, and any block construct (directive, heading, list, comment, target…).
  The msgstr must have the same multiset. Around that, what MyST would show as text but that
  has no place in a translation: HTML tags (CommonMark's own HTML rules), HTML entities and
  template syntax.
- Unicode (`unicode_problems`): control characters, bidirectional overrides and isolates, and
  invisible characters that make two different strings look the same.
- Facts (`facts_problems`): dates, years, months, days, durations, percentages, other numbers,
  URLs and domain names, quotations (「…」) and the glossary's names must correspond between the
  msgid and the msgstr. The extraction is ours (`facts_of`): no library reads "2023年2月24日"
  and "24 February 2023" as one date, and number words count only beside a unit ("one year",
  一周年) because alone they are ordinary words ("no one", 一方面). A deliberate difference is
  allowed by a translator comment `# facts: <reason>` (translations.fact_exception).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.myst_role import myst_role_plugin

from book import myst_syntax


@dataclass(frozen=True)
class Problem:
    kind: str  # facts, markup, smuggled-markup, unicode, terminology
    message: str


# -- Markup ------------------------------------------------------------------------------------


@cache
def myst_parser() -> MarkdownIt:
    """The parser MyST builds for the book's pages (myst_parser.parsers.mdit)."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = MdParserConfig(
        enable_extensions=set(myst_syntax.ENABLE_EXTENSIONS),
        disable_syntax=list(myst_syntax.DISABLE_SYNTAX),
    )
    return create_md_parser(config, RendererHTML)


# CommonMark with HTML on (MyST has it off): finds what a translator meant as HTML; MyST's
# role syntax first, so that a role's target (`{ref}`BBC <source-bbc>``) is no HTML tag.
HTML_FINDER = MarkdownIt("commonmark").use(myst_role_plugin)
TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}")
ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
ROLE_TARGET = re.compile(r"<([^<>]+)>\s*$")
# Tokens that carry no construct of their own: text, and the wrappers of every message.
PLAIN = {"text", "inline", "paragraph_open", "paragraph_close", "softbreak"}
LANGUAGE_SPAN = re.compile(r"span \[\('class', 'language-[a-z]{2,3}(-[A-Za-z]+)?'\)\]")


def _walk(tokens: Iterable[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _construct(token: Token) -> str | None:
    kind = token.type
    if kind in PLAIN or (kind.endswith("_close") and kind != "paragraph_close"):
        return None
    if kind == "link_open":
        return f"link to {token.attrs.get('href')}"
    if kind == "image":
        return f"image {token.attrs.get('src')}"
    if kind == "myst_role":
        target = ROLE_TARGET.search(token.content)
        return f"role {{{token.meta['name']}}} → {target[1] if target else token.content}"
    if kind == "code_inline":
        return f"inline code `{token.content}`"
    if kind in ("strong_open", "em_open"):
        return kind.removesuffix("_open")
    if kind == "span_open":
        return f"span {sorted(token.attrs.items())}"
    if kind == "footnote_ref":
        return f"footnote [^{token.meta.get('label')}]"
    if kind == "fence":
        return f"block ```{token.info}"
    if kind == "myst_target":
        return f"target ({token.content})="
    if kind == "hardbreak":
        return "hard line break"
    return f"{kind.removesuffix('_open')} {token.tag}".strip()


def constructs(text: str) -> Counter[str]:
    """Every construct of a text that MyST turns into something other than text."""
    items: Counter[str] = Counter()
    for token in _walk(myst_parser().parse(text)):
        item = _construct(token)
        if item:
            items[item] += 1
    for token in _walk(HTML_FINDER.parse(text)):
        if token.type in ("html_inline", "html_block"):
            items[f"HTML {token.content.strip()}"] += 1
    for syntax in TEMPLATE_SYNTAX.findall(text):
        items[f"template syntax {syntax}"] += 1
    for entity in ENTITY.findall(text):
        items[f"HTML entity {entity}"] += 1
    return items


def is_language_span(item: str) -> bool:
    """A span that only says which language its text is in: [名称]{.language-ja}."""
    return LANGUAGE_SPAN.fullmatch(item) is not None


def markup_problems(msgid: str, msgstr: str) -> list[Problem]:
    source, translation = constructs(msgid), constructs(msgstr)
    problems = []
    for item in sorted((translation - source).keys()):
        if is_language_span(item):
            continue
        smuggled = item.startswith(("HTML ", "template syntax"))
        problems.append(
            Problem(
                "smuggled-markup" if smuggled else "markup",
                f"msgstr {'introduces' if smuggled else 'adds'} {item}",
            )
        )
    problems += [
        Problem("markup", f"msgstr lacks {item}") for item in sorted((source - translation).keys())
    ]
    return problems


# -- Unicode -----------------------------------------------------------------------------------

BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible: they make two different strings (a name, a web address) look the same.
INVISIBLE = set("\u200b\u2060\ufeff\u00ad\u180e")


LOOK_ALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _scripts(word: str) -> set[str]:
    return {
        script
        for char in word
        if char.isalpha()
        for script in LOOK_ALIKE_SCRIPTS
        if unicodedata.name(char, "").startswith(script)
    }


def unicode_problems(msgid: str, msgstr: str) -> list[Problem]:
    problems = [
        Problem(
            "unicode", f"msgstr mixes {' and '.join(sorted(_scripts(word)))} letters in {word!r}"
        )
        for word in dict.fromkeys(re.findall(r"\w+", msgstr))
        if len(_scripts(word)) > 1 and word not in msgid
    ]
    for char in dict.fromkeys(msgstr):
        if char in msgid:
            continue
        name = unicodedata.name(char, f"U+{ord(char):04X}")
        if char in BIDI_CONTROLS:
            problems.append(Problem("unicode", f"msgstr has the bidirectional control {name}"))
        elif char in INVISIBLE:
            problems.append(Problem("unicode", f"msgstr has the invisible character {name}"))
        elif unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") and char not in "\n\t":
            problems.append(
                Problem("unicode", f"msgstr has the control character U+{ord(char):04X}")
            )
    return problems


# -- Facts -------------------------------------------------------------------------------------
# A fact is (kind, value): ("date", "2023-02-24"), ("date", "2023-02"), ("date", "--02-24"),
# ("year", "2022"), ("month", "2"), ("day", "24"), ("years", "1") for a duration, ("percent",
# "5"), ("number", "4.0"), ("url", …), and the quotations and names counted apart.

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTH_ABBREVIATIONS = {m[:3]: i for i, m in enumerate(MONTHS, 1)} | {"sept": 9}
NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip
ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
)  # fmt: skip
EN_NUMBERS = {word: n for n, word in enumerate(NUMBER_WORDS)} | {"a": 1, "an": 1}
EN_ORDINALS = {word: n for n, word in enumerate(ORDINAL_WORDS, 1)}
CJK_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"两": 2, "兩": 2, "零": 0}
CJK_NUMBER = "[〇零一二三四五六七八九十百千两兩]+"


def cjk_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十四 → 24, 二〇二三 → 2023 (digit by digit)."""
    if "十" not in text and "百" not in text and "千" not in text:
        return int("".join(str(CJK_DIGITS[c]) for c in text))
    total, current = 0, 0
    for char in text:
        if char in CJK_DIGITS:
            current = CJK_DIGITS[char]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[char]
            total += (current or 1) * unit
            current = 0
    return total + current


def _value(text: str) -> int:
    text = text.lower()
    if text.isdigit():
        return int(text)
    if text in EN_NUMBERS:
        return EN_NUMBERS[text]
    return cjk_number(text)


def _month(name: str) -> int:
    name = name.lower().rstrip(".")
    return MONTHS.index(name) + 1 if name in MONTHS else MONTH_ABBREVIATIONS[name[:4].rstrip()]


def _duration_or_year(value: int, unit: str) -> tuple[str, str]:
    """二〇二三年 is a year, 一年 a duration."""
    return ("year", str(value)) if unit == "years" and value >= 1000 else (unit, str(value))


def _date(year: str | None, month: str | int | None, day: str | None) -> tuple[str, str]:
    month_n = month if isinstance(month, int) else int(month) if month else None
    if year and month_n and day:
        return ("date", f"{int(year):04d}-{month_n:02d}-{int(day):02d}")
    if year and month_n:
        return ("date", f"{int(year):04d}-{month_n:02d}")
    return ("date", f"--{month_n:02d}-{int(day):02d}")


URL = re.compile(
    r"(?:https?|ftp|mailto):[^\s<>()（）「」『』“”\"'\]\[]+|www\.[^\s<>()（）「」“”\"']+", re.I
)
# A domain name written without a scheme: ASCII or look-alike letters, a dot, a top-level domain.
DOMAIN = re.compile(
    r"(?<![\w@.-])(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[\w-]+)(?![\w-])"
)
NUMBER = r"\d+(?:\.\d+)?"
EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
EN_MONTH_NO_MAY = EN_MONTH.replace("|May", "")
ORD = r"(?:st|nd|rd|th)?"
EN_COUNT = rf"(?:\d+|{'|'.join(EN_NUMBERS)})"
DURATION_UNITS = {
    "year": "years", "month": "months", "week": "weeks", "day": "days",
    "年": "years", "周年": "years", "年間": "years", "个月": "months", "か月": "months",
    "ヶ月": "months", "ケ月": "months", "カ月": "months", "箇月": "months", "個月": "months",
    "週間": "weeks", "周": "weeks", "个星期": "weeks", "日間": "days", "天": "days",
}  # fmt: skip

# Each pattern: a compiled regex and what it yields; applied in order, each match is blanked
# out so that a later, looser pattern does not count the same digits again.
CJK_PATTERNS = [
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), lambda m: [_date(m[1], m[2], m[3])]),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), lambda m: [_date(m[1], m[2], m[3])]),
    (
        re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"),
        lambda m: [_date(m[1], m[2], m[3])],
    ),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!間)"), lambda m: [_date(m[1], m[2], None)]),
    (
        re.compile(r"(?<![\d.])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"),
        lambda m: [_date(None, m[1], m[2])],
    ),
    (re.compile(r"(\d{4})\s*年(?!間)"), lambda m: [("year", m[1])]),
    (re.compile(r"百分之(\d+|" + CJK_NUMBER + ")"), lambda m: [("percent", str(_value(m[1])))]),
    (re.compile(rf"({NUMBER})\s*(?:%|パーセント|percent)"), lambda m: [("percent", m[1])]),
    (
        re.compile(
            rf"(\d+|{CJK_NUMBER})\s*(周年|年間|年|个月|か月|ヶ月|ケ月|カ月|箇月|個月|週間|个星期|日間|天)"
        ),
        lambda m: [_duration_or_year(_value(m[1]), DURATION_UNITS[m[2]])],
    ),
    (re.compile(r"(?<![\d.])(\d{1,2})\s*月(?!間)"), lambda m: [("month", str(int(m[1])))]),
    (re.compile(r"(?<![\d.])(\d{1,2})\s*日(?!間)"), lambda m: [("day", str(int(m[1])))]),
    (
        re.compile(rf"第({CJK_NUMBER})(?=[章部節节回条條項项期版卷巻])"),
        lambda m: [("number", str(_value(m[1])))],
    ),
]
EN_PATTERNS = [
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), lambda m: [_date(m[1], m[2], m[3])]),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), lambda m: [_date(m[1], m[2], m[3])]),
    (
        re.compile(rf"\b(\d{{1,2}}){ORD}\s+(?:of\s+)?({EN_MONTH}),?\s+(\d{{4}})\b"),
        lambda m: [_date(m[3], _month(m[2]), m[1])],
    ),
    (
        re.compile(rf"\b({EN_MONTH})\s+(\d{{1,2}}){ORD},?\s+(\d{{4}})\b"),
        lambda m: [_date(m[3], _month(m[1]), m[2])],
    ),
    (re.compile(rf"\b({EN_MONTH}),?\s+(\d{{4}})\b"), lambda m: [_date(m[2], _month(m[1]), None)]),
    (
        re.compile(rf"\b(\d{{1,2}}){ORD}\s+(?:of\s+)?({EN_MONTH})\b"),
        lambda m: [_date(None, _month(m[2]), m[1])],
    ),
    (
        re.compile(
            rf"\b({EN_MONTH})\s+(\d{{1,2}}){ORD}\b(?!\s*(?:%|percent|years?|months?|weeks?|days?))"
        ),
        lambda m: [_date(None, _month(m[1]), m[2])],
    ),
    (re.compile(rf"\b({EN_MONTH_NO_MAY})(?![\w-])"), lambda m: [("month", str(_month(m[1])))]),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b"), lambda m: [("day", str(int(m[1])))]),
    (
        re.compile(rf"({NUMBER})\s*(?:%|per\s?cent\b|percent\b)", re.I),
        lambda m: [("percent", m[1])],
    ),
    (
        re.compile(rf"\b({EN_COUNT})[\s-]+(year|month|week|day)s?\b", re.I),
        lambda m: [(DURATION_UNITS[m[2].lower()], str(_value(m[1])))],
    ),
    (
        re.compile(r"\b(chapter|part|section|point)\s+(" + "|".join(EN_NUMBERS) + r")\b", re.I),
        lambda m: [("number", str(_value(m[2])))],
    ),
    (
        re.compile(r"\b(" + "|".join(EN_ORDINALS) + r")\s+(chapter|part|section|point)\b", re.I),
        lambda m: [("number", str(EN_ORDINALS[m[1].lower()]))],
    ),
    (re.compile(r"(?<![\d.])([12]\d{3})(?![\d.])"), lambda m: [("year", m[1])]),
]
LEFTOVER_NUMBER = re.compile(NUMBER)


def _apply(patterns, text: str) -> tuple[list[tuple[str, str]], str]:
    found = []
    for pattern, facts in patterns:

        def blank(match: re.Match[str], facts=facts) -> str:
            found.extend(facts(match))
            return " " * len(match[0])

        text = pattern.sub(blank, text)
    return found, text


def _plain_text(text: str) -> str:
    """The words of a message without its markup: role targets, link targets and language
    spans (quoted Japanese, checked apart) are not facts of the text."""
    text = re.sub(r"\{[\w:-]+\}`([^`<]*?)(?:\s*<[^`>]*>)?`", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\{\.language-[\w-]+\}", " ", text)
    return text


def facts_of(text: str, tag: str) -> Counter[tuple[str, str]]:
    """The facts a message states, in the forms of its language (ja, zh… or Western)."""
    text = unicodedata.normalize("NFKC", _plain_text(text))
    facts: Counter[tuple[str, str]] = Counter()
    for url in URL.findall(text):
        facts[("url", url.rstrip(".,;:。、"))] += 1
    text = URL.sub(" ", text)
    for domain in DOMAIN.findall(text):
        facts[("url", domain)] += 1
    text = DOMAIN.sub(" ", text)
    cjk = tag.split("_")[0] in ("ja", "zh", "ko")
    found, rest = _apply(CJK_PATTERNS if cjk else EN_PATTERNS, text)
    if cjk:
        # A year written alone (2022, in a Latin context) is a year in every language.
        more, rest = _apply(EN_PATTERNS[-1:], rest)
        found += more
    facts.update(found)
    for number in LEFTOVER_NUMBER.findall(rest):
        facts[("number", str(int(number)) if number.isdigit() else number)] += 1
    return facts


def _describe(fact: tuple[str, str]) -> str:
    kind, value = fact
    return {
        "years": f"a duration of {value} year(s)",
        "months": f"a duration of {value} month(s)",
        "weeks": f"a duration of {value} week(s)",
        "days": f"a duration of {value} day(s)",
        "percent": f"{value} %",
        "url": f"the address {value}",
    }.get(kind, f"the {kind} {value}")


# Quotations: the Japanese 「…」 (『…』 nests inside it) and what translations use for them.
QUOTATION = re.compile(
    r"「[^「」]*」|“[^“”]*”|《[^《》]*》|\"[^\"]*\"|『[^『』]*』|«[^«»]*»|„[^„“]*“"
)
ORIGINAL_QUOTE = re.compile(r"^.\[([^\]]*)\]\{\.language-[\w-]+\}.$")


def _quotations(text: str) -> list[str]:
    if "「" in text:
        return re.findall(r"「([^「」]*)」", text)  # 『』 inside 「」 is a quote within a quote
    return [q[1:-1] for q in QUOTATION.findall(_without_roles(text))]


def _without_roles(text: str) -> str:
    return re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)


def quotation_problems(
    msgid: str, msgstr: str, terms: list[dict[str, object]], tag: str
) -> list[Problem]:
    source = _quotations(msgid)
    quoted = QUOTATION.findall(_without_roles(msgstr))
    originals = [
        q for q in quoted if ORIGINAL_QUOTE.match(q) and ORIGINAL_QUOTE.match(q)[1] in source
    ]
    translated = len(quoted) - len(originals)
    problems = []
    if translated > len(source) or translated + len(originals) < len(source):
        problems.append(
            Problem(
                "facts",
                f"the msgid quotes {len(source)} time(s) (「…」), the msgstr {len(quoted)} time(s)",
            )
        )
    for content in source:
        for term in terms:
            wanted = term.get(tag)
            if (
                term["ja"] == content
                and wanted
                and not any(str(wanted).casefold() in q.casefold() for q in quoted)
            ):
                problems.append(
                    Problem(
                        "facts",
                        f"the msgid quotes 「{content}」, the msgstr does not quote {wanted!r}",
                    )
                )
    return problems


def names_of(text: str, forms: Iterable[str]) -> set[str]:
    """The forms a text contains; a Latin one as a whole word, in any case."""
    return {
        form
        for form in forms
        if (
            re.search(rf"(?<![\w]){re.escape(form)}(?![\w])", text, re.I)
            if form.isascii()
            else form in text
        )
    }


def name_problems(
    msgid: str, msgstr: str, terms: list[dict[str, object]], tag: str
) -> list[Problem]:
    """A name the msgstr gives that the msgid does not (terminology_problems checks the other
    way): a translation that puts Putin where the original says Xi. Only names: a term that
    describes (ウクライナ侵攻) may be paraphrased around another (ウクライナへの軍事侵攻)."""
    problems = []
    plain = _plain_text(msgstr)
    for term in terms:
        wanted = term.get(tag)
        if not wanted or not term.get("name", True):
            continue
        if str(term["ja"]) not in msgid and names_of(plain, [str(wanted)]):
            problems.append(
                Problem("facts", f"the msgstr names {wanted!r}, the msgid has no {term['ja']}")
            )
    return problems


def original_quote_problems(msgid: str, msgstr: str) -> list[Problem]:
    """Japanese quoted in a translation ([…]{.language-ja}) must be the original's words."""
    return [
        Problem(
            "facts", f"the msgstr quotes [{quote}]{{.language-ja}}, which the msgid does not have"
        )
        for quote in re.findall(r"\[([^\]]*)\]\{\.language-ja\}", msgstr)
        if quote not in msgid
    ]


def facts_problems(
    msgid: str, msgstr: str, tag: str, terms: list[dict[str, object]]
) -> list[Problem]:
    source, translation = facts_of(msgid, "ja"), facts_of(msgstr, tag)
    missing = [_describe(f) for f in sorted((source - translation).elements())]
    extra = [_describe(f) for f in sorted((translation - source).elements())]
    problems = []
    if missing and extra:
        problems.append(
            Problem(
                "facts",
                f"the msgid has {', '.join(missing)}; the msgstr has {', '.join(extra)} instead",
            )
        )
    elif missing:
        problems.append(Problem("facts", f"the msgid has {', '.join(missing)}, the msgstr not"))
    elif extra:
        problems.append(Problem("facts", f"the msgstr has {', '.join(extra)}, the msgid not"))
    problems += quotation_problems(msgid, msgstr, terms, tag)
    problems += name_problems(msgid, msgstr, terms, tag)
    problems += original_quote_problems(msgid, msgstr)
    return problems


def terminology_problems(
    msgid: str, msgstr: str, tag: str, terms: list[dict[str, object]]
) -> list[Problem]:
    problems = []
    for term in terms:
        source, wanted = term["ja"], term.get(tag)
        # Case aside: a title capitalises the term ("Invasion of Ukraine").
        if wanted and source in msgid and str(wanted).casefold() not in msgstr.casefold():
            problems.append(Problem("terminology", f"{source} is written {wanted!r}"))
    return problems
