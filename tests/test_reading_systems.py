"""Every EPUB opened in two real reading systems, headless under Xvfb: the Foliate application
(epub.js on WebKitGTK) and calibre's E-book viewer (Qt WebEngine). src/book/reading_systems.py
reaches the first chapter page of each book as a reader does and writes the screenshots under
build/reading-systems/ for a person to look at; these tests check, within tolerances, what a
screenshot can tell without a DOM: the page shows the book's text (it is not blank), set in
the right orientation (vertical columns in the vertical book, horizontal lines in the
others), and in calibre the page after it, turned with the keyboard, is not blank either.
tests/test_foliate.py checks Foliate's engine through its DOM.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EPUBS, require
from PIL import Image

from book import layout, reading_systems

pytestmark = pytest.mark.slow  # the Foliate and calibre viewers under Xvfb

BOOKS = [edition.basename for edition in EPUBS]
PICTURES = [("foliate", book, "") for book in BOOKS] + [
    ("calibre", book, suffix) for book in BOOKS for suffix in ("", "-next")
]


@pytest.fixture(scope="module")
def screenshots() -> tuple[dict[str, list[Path]], dict[tuple[str, str], str]]:
    """The screenshots of every book in every engine, and what failed."""
    missing = reading_systems.missing_tools()
    if missing:
        pytest.fail(
            "missing: "
            + ", ".join(f"{tool} (Debian package {package})" for tool, package in missing.items())
            + ": `make system-test` installs them"
        )
    paths = [require(layout.DOWNLOADS / f"{book}.epub") for book in BOOKS]
    for engine in reading_systems.ENGINES:
        for old in (reading_systems.OUT / engine).glob("*.png"):
            old.unlink()
    return reading_systems.capture(paths, timeout=120, jobs=3)


@pytest.mark.parametrize(
    ("engine", "book", "suffix"), PICTURES, ids=[f"{e}-{b}{s}" for e, b, s in PICTURES]
)
def test_the_page_shows_the_text_in_its_orientation(
    screenshots: tuple[dict[str, list[Path]], dict[tuple[str, str], str]],
    engine: str,
    book: str,
    suffix: str,
) -> None:
    written, failures = screenshots
    path = reading_systems.OUT / engine / f"{book}{suffix}.png"
    if path not in written[engine]:
        pytest.fail(failures.get((engine, book), f"{path.name} was not written"))
    with Image.open(path) as image:
        layout = reading_systems.text_layout(image.convert("RGB"))
    assert layout["ink"] >= reading_systems.MIN_INK, f"{path.name} is blank: {layout}"
    expected = "vertical" if book.endswith("-vertical") else "horizontal"
    assert layout["orientation"] == expected, layout
