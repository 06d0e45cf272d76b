"""Sphinx extension: what a host and a sharing site need beyond the pages.

- The social card (`_static/social-card.png`, 1200 × 630, the size OpenGraph consumers
  show): the edition's title and author, drawn with Pillow in the edition's own CJK face
  (languages.toml `card_font`), so that a shared link shows the book in its language.
  sphinxext-opengraph's own cards need matplotlib and draw no CJK title.
- OpenGraph descriptions: each page's own description (its front matter's html_meta, in the
  edition's language) rather than sphinxext-opengraph's cut of its first 200 characters.
- Printed citations: a printed page cannot be followed, so each link to a source of the
  sources page (出典) carries that source's URL, shown in print only (book.css @media print).
- sphinx-sitemap only where there is a sitemap to write: it starts a multiprocessing
  Manager for every builder, also the EPUB and LaTeX ones that write none (~0.15 s each).
- A complete sitemap: sphinx-sitemap lists the pages written in this run only, so after an
  incremental build (one page changed) its sitemap.xml would list that page alone. Every
  page of the edition is queued before it writes the file.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform

from book import languages

CARD = (1200, 630)
INK, PAPER, ACCENT = (33, 33, 33), (250, 248, 243), (198, 40, 40)


FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")


def _font_file(setting: str) -> tuple[Path, int]:
    """The font file and face index of a card_font setting ("file.ttc:index"), looked up in
    the system's font folders; an error naming the package when it is missing."""
    name, _, index = setting.partition(":")
    for folder in FONT_DIRS:
        for path in sorted(folder.rglob(name)) if folder.is_dir() else []:
            return path, int(index or 0)
    raise ExtensionError(
        f"social card: the font {name} (languages.toml card_font) is not installed in "
        f"{', '.join(map(str, FONT_DIRS))}; the Debian package fonts-noto-cjk has it "
        "(`make html` installs it)"
    )


# Japanese and Chinese lines do not start with closing punctuation (kinsoku).
NO_LINE_START = set("、。，．,.：:；;？?！!」』）)〕】》〉ー")


def _wrap(text: str, font, width: int) -> list[str]:
    """Lines no wider than `width`: at spaces where the text has them, else between any two
    characters but before closing punctuation."""
    words = text.split(" ") if " " in text else list(text)
    glue = " " if " " in text else ""
    lines, line = [], ""
    for word in words:
        candidate = f"{line}{glue}{word}" if line else word
        if font.getlength(candidate) <= width or not line or word in NO_LINE_START:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line]


def _write_card(app: Sphinx) -> list:
    if app.builder.name != "html":
        return []
    from PIL import Image, ImageDraw, ImageFont

    row = languages.get(app.config.language)
    path, index = _font_file(row.card_font)
    image = Image.new("RGB", CARD, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, CARD[1]), fill=ACCENT)
    margin, size = 90, 64
    title = app.config.html_title
    while True:  # the largest size at which the title fits in four lines
        font = ImageFont.truetype(path, size, index=index)
        lines = _wrap(title, font, CARD[0] - 2 * margin)
        if len(lines) <= 4 or size <= 36:
            break
        size -= 4
    y = 80
    for line in lines:
        draw.text((margin, y), line, font=font, fill=INK)
        y += int(size * 1.35)
    small = ImageFont.truetype(path, 30, index=index)
    draw.text((margin, CARD[1] - 100), app.config.author, font=small, fill=(90, 90, 90))
    out = Path(app.outdir, "_static", "social-card.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, optimize=True)
    return []


def _queue_every_page(app: Sphinx, exception: Exception | None) -> None:
    """Before sphinx-sitemap writes (same event, earlier): every page once, written or not."""
    if exception or app.builder.name != "html" or not hasattr(app, "sitemap_links"):
        return
    queue, written = app.sitemap_links, set()
    while not queue.empty():
        written.add(queue.get_nowait())
    pages = {(f"{docname}{app.builder.out_suffix}", None) for docname in app.env.found_docs}
    for link, lastmod in sorted(written | pages, key=lambda item: item[0]):
        if link not in app.config.sitemap_excludes:
            queue.put((link, lastmod))


def _description_for_sharing(app: Sphinx, doctree: nodes.document) -> None:
    """sphinxext-opengraph takes `og:` fields of the page's metadata as they are."""
    for meta in doctree.findall(nodes.meta):
        if meta.get("name") == "description":
            app.env.metadata[app.env.docname]["og:description"] = meta["content"]


class PrintCitationURLs(SphinxPostTransform):
    """After a link to a source entry (a label whose section holds the source's URL), the URL,
    in a span that only print shows."""

    default_priority = 20  # after the references are resolved (10)
    builders = ("html",)

    def run(self, **kwargs) -> None:
        labels = self.env.domains.standard_domain.labels
        for ref in list(self.document.findall(nodes.reference)):
            if ref.get("refuri") and ref.astext() == ref["refuri"]:
                ref["classes"].append("bare-url")  # its text is its address already
            label = ref.get("refuri", "").partition("#")[2] or ref.get("refid", "")
            if not label.startswith("source-") or label not in labels:
                continue
            url = self._url_of(*labels[label][:2])
            if url:
                note = nodes.inline("", f" <{url}>", classes=["print-url"])
                ref.parent.insert(ref.parent.index(ref) + 1, note)

    def _url_of(self, docname: str, labelid: str) -> str:
        doctree = self.env.get_doctree(docname)
        for section in doctree.findall(nodes.Element):
            if labelid in section.get("ids", []):
                for link in section.findall(nodes.reference):
                    if link.get("refuri", "").startswith(("http://", "https://")):
                        return link["refuri"]
        return ""


def _sitemap_for_html_only(app: Sphinx) -> None:
    import sphinx_sitemap

    handlers = {
        sphinx_sitemap.record_builder_type,
        sphinx_sitemap.add_html_link,
        sphinx_sitemap.create_sitemap,
    }
    for event, listeners in app.events.listeners.items():
        for listener in list(listeners):
            if listener.handler in handlers:
                app.disconnect(listener.id)
                app.connect(event, _when_html(listener.handler), priority=listener.priority)


def _when_html(handler):
    def guarded(app: Sphinx, *args):
        if app.builder.name == "html":
            return handler(app, *args)
        return None

    return guarded


def setup(app: Sphinx) -> dict[str, object]:
    _sitemap_for_html_only(app)
    app.add_post_transform(PrintCitationURLs)
    app.connect("doctree-read", _description_for_sharing)
    app.connect("html-collect-pages", _write_card)
    app.connect("build-finished", _queue_every_page, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
