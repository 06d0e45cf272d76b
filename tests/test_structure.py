"""The article's parts became book structure: lead, key points, Q&A, source summaries with
citations, commentary asides, a sources page and a closing note on the missing next part.

Each expectation is read from the original (source_text), the result from the built HTML.
"""

from __future__ import annotations

from urllib.parse import urldefrag

from conftest import content_pages, first_heading, main_text
from lxml import html
from source_text import Article, normalise, squash

CHAPTERS = ("chapters/china-position", "chapters/russia-china-relations")


def texts(page: html.HtmlElement, xpath: str) -> list[str]:
    return [squash(node.text_content()) for node in page.xpath(xpath)]


def by_class(name: str) -> str:
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def test_title_and_lead_open_the_book(article: Article, html_pages) -> None:
    index = html_pages["index"]
    assert texts(index, "//article//h1") == [squash(article.title)]
    assert texts(index, f"//div[{by_class('lead')}]") == [squash(article.lead)]


def test_key_points_are_one_kind_of_admonition(article: Article, html_pages) -> None:
    bodies = [
        squash("".join(node.xpath('./p[not(contains(@class, "admonition-title"))]//text()')))
        for node in html_pages["index"].xpath(f"//div[{by_class('admonition')}]")
    ]
    key_points = html_pages["index"].xpath(f"//div[{by_class('key-point')}]")
    assert len(key_points) == len(article.key_points) == 3
    assert bodies == [squash(point) for point in article.key_points]


def test_each_chapter_opens_with_its_question_and_answer(article: Article, html_pages) -> None:
    for doc in CHAPTERS:
        heading = normalise(first_heading(doc))
        question, answer = article.question_and_answer_after(heading)
        page = html_pages[doc]
        qa = page.xpath(f"//div[{by_class('qa')}]//dl")
        assert len(qa) == 1, doc
        assert texts(qa[0], "./dt") == [squash(question)]
        assert texts(qa[0], "./dd") == [squash(answer)]


def test_source_summaries_cite_their_bibliography_entry(article: Article, html_pages) -> None:
    summaries = [
        node
        for doc in CHAPTERS
        for node in html_pages[doc].xpath(f"//div[{by_class('source-summary')}]")
    ]
    assert len(summaries) == len(article.summaries) == 2
    sources = html_pages["sources"]
    for node, block in zip(summaries, article.summaries, strict=True):
        assert texts(node, ".//li") == [squash(line) for line in block.lines]
        (link,) = node.xpath('.//a[contains(@class, "internal")][contains(@href, "sources.html")]')
        page, anchor = urldefrag(link.get("href"))
        assert page.endswith("sources.html") and anchor
        (entry,) = sources.xpath(f'//*[@id="{anchor}"]')
        # The entry the citation leads to is the one that gives the source's URL.
        assert entry.xpath(f'.//a[@href="{block.url}"][text()="{block.url}"]'), anchor


def test_publication_date_is_shown_with_its_source(article: Article, html_pages) -> None:
    bbc = html_pages["chapters/china-position"].xpath(f"//div[{by_class('source-summary')}]")[0]
    date_line = next(line for line in article.lines if line.startswith("公開日"))
    assert squash(date_line) in squash(bbc.text_content())
    assert "2023年3月18日" in squash(main_text(html_pages["sources"]))


def test_commentary_lines_are_asides(article: Article, html_pages) -> None:
    xpath = f"//div[{by_class('commentary')}]"
    asides = [text for doc in CHAPTERS for text in texts(html_pages[doc], xpath)]
    assert asides == [squash(line) for line in article.commentary]
    assert len(asides) == 4


def test_missing_next_part_is_named_in_a_closing_note(article: Article, html_pages) -> None:
    (note,) = html_pages[CHAPTERS[-1]].xpath(f"//div[{by_class('next-part')}]")
    assert article.next_part
    assert squash(article.next_part) in squash(note.text_content())


def test_no_bare_urls_in_running_text(html_pages) -> None:
    for doc in ("index", *CHAPTERS):
        assert "http" not in main_text(html_pages[doc]), doc
    # On the sources page every URL is a link whose visible text is the URL itself.
    for link in html_pages["sources"].xpath('//article//a[starts-with(@href, "http")]'):
        assert link.text_content() == link.get("href")


def test_chapters_come_in_the_articles_order(article: Article, html_pages) -> None:
    toc = html_pages["index"].xpath('//div[contains(@class, "toctree-wrapper")]//a/@href')
    # The chapters in the article's order, then the reference pages (glossary, timeline,
    # sources, about).
    assert toc[: len(CHAPTERS)] == [f"{doc}.html" for doc in CHAPTERS]
    others = [doc for doc in content_pages() if doc != "index" and doc not in CHAPTERS]
    assert sorted(toc[len(CHAPTERS) :]) == sorted(f"{doc}.html" for doc in others)
    positions = [article.lines.index(normalise(first_heading(doc))) for doc in CHAPTERS]
    assert positions == sorted(positions)
