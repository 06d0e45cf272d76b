"""Screenshots of the first chapter page of every EPUB in real reading systems, under Xvfb.

Usage:
    python -m book.reading_systems [BOOK ...] [--engine NAME ...] [--out DIR]
                                      [--timeout S] [--jobs N]

    BOOK      xi-russia-2023-ja, xi-russia-2023-ja-vertical, xi-russia-2023-en, ... (in
              build/site/downloads/), or the path of any EPUB (default: every EPUB in
              build/site/downloads/)
    --engine  foliate, calibre (default: both)
    --out     where the screenshots go (default: build/reading-systems/)
    --timeout seconds a reader may take to show a page (default: 120)
    --jobs    readers running at a time, each on its own X server (default: 2)

Writes, for a person to look at (and for tests/test_reading_systems.py to check):

    build/reading-systems/foliate/<book>.png        Foliate (epub.js on WebKitGTK)
    build/reading-systems/calibre/<book>.png        calibre's E-book viewer (Qt WebEngine)
    build/reading-systems/calibre/<book>-next.png   the page after it, turned with the keyboard
    build/reading-systems/<engine>/<book>[-next]-failed.png   what a reader showed instead,
                                                    when it did not show a page of text

and prints, for each, the orientation of its text and its share of ink.

Each reader runs on an X server of its own (Xvfb, 1000x800), its window moved to the origin and
sized to the screen, with a fresh temporary HOME, XDG and calibre configuration directory for
every book, so no stored reading position, first-run dialog or other instance interferes;
calibre's "Welcome" help is marked as seen in that fresh configuration. The first chapter page
(chapters/china-position) is reached as a reader reaches it:

- calibre: `ebook-viewer --open-at toc-href:chapters/china-position.xhtml` (the book's table of
  contents entry);
- Foliate has no such option: its table of contents is opened (Ctrl+T) and the chapter's entry
  is clicked, as many rows below the current one (the opening page's) as the book's
  navigation document lists it after the opening page (an imprint page may stand between);
  the selected row is found by its highlight colour. The screenshot must differ from the
  opening page.

Every wait polls the screen and is bounded by --timeout: a page counts as shown when most of
the window is white, there is ink between the running head and foot, and three captures in a
row are identical. A page turned to that shows no text (the blank page calibre showed after
the first page of an earlier Japanese EPUB) is an error, not something to wait out. A failure
names the book and the engine and ends with the reader's log. Needs the Debian packages
foliate, calibre, xvfb, xdotool and imagemagick (`make system-test`
test`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops

from book import layout

OUT = layout.BUILD / "reading-systems"
CHAPTER = "chapters/china-position.xhtml"
ENGINES = ("foliate", "calibre")
SCREEN = (1000, 800)
# The programs each engine needs, and the Debian package of each.
TOOLS = {
    "Xvfb": "xvfb",
    "xdotool": "xdotool",
    "import": "imagemagick",
}
ENGINE_TOOLS = {"foliate": {"foliate": "foliate"}, "calibre": {"ebook-viewer": "calibre"}}
# GTK's (Adwaita's) colour of a selected row: the current entry of Foliate's table of contents.
SELECTED_ROW = (53, 132, 228)
# The least share of dark pixels between the running head and foot of a page of text (a
# page of this book holds 2 to 7 %; a reader's blank page with its head and foot, 0).
MIN_INK = 0.005
# Seconds a page turned to may stay blank while the reader loads it (on a busy machine).
BLANK_GRACE = 30


class ReaderError(RuntimeError):
    """A reader did not show what was asked of it in time; `image` is its last picture."""

    def __init__(self, message: str, image: Image.Image | None = None, suffix: str = "") -> None:
        super().__init__(message)
        self.image = image
        self.suffix = suffix  # of the screenshot it failed to take ("-next")
        self.pictures: dict[str, Image.Image] = {}  # those taken before it failed


def missing_tools(engines: tuple[str, ...] = ENGINES) -> dict[str, str]:
    """The programs that are not installed, with their Debian packages."""
    wanted = dict(TOOLS)
    for engine in engines:
        wanted.update(ENGINE_TOOLS[engine])
    return {tool: package for tool, package in wanted.items() if not shutil.which(tool)}


def books(names: list[str] | None = None) -> list[Path]:
    if names:
        return [layout.DOWNLOADS / (n if n.endswith(".epub") else f"{n}.epub") for n in names]
    return sorted(layout.DOWNLOADS.glob("*.epub"))


# --- the X server and its windows ---------------------------------------------------------


@contextlib.contextmanager
def xvfb(size: tuple[int, int] = SCREEN) -> Iterator[str]:
    """An Xvfb server of its own; yields its DISPLAY."""
    read, write = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write),
            "-screen",
            "0",
            f"{size[0]}x{size[1]}x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise ReaderError("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass
class Screen:
    display: str
    timeout: float

    def run(self, *args: str) -> str:
        return subprocess.run(
            args,
            env={**os.environ, "DISPLAY": self.display},
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout

    def xdotool(self, *args: str) -> str:
        return self.run("xdotool", *args)

    def window(self, instance: str, process: subprocess.Popen, log: Path) -> str:
        """The reader's visible top-level window, once it is mapped."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            found = self.xdotool("search", "--onlyvisible", "--classname", instance).split()
            if found:
                return found[0]
            if process.poll() is not None:
                raise ReaderError(f"the reader exited ({process.returncode}): {tail(log)}")
            time.sleep(0.3)
        raise ReaderError(f"no {instance} window after {self.timeout:.0f} s: {tail(log)}")

    def fill(self, window: str) -> None:
        """Move the window to the origin and size it to the screen (there is no window manager
        to maximise it), and give it the keyboard."""
        self.xdotool("windowmove", window, "0", "0")
        self.xdotool("windowsize", window, str(SCREEN[0]), str(SCREEN[1]))
        self.xdotool("windowfocus", window)

    def capture(self, window: str) -> Image.Image:
        """The window's picture (as a PPM: no PNG compression on every poll)."""
        shot = subprocess.run(
            ["import", "-silent", "-window", window, "-depth", "8", "ppm:-"],
            env={**os.environ, "DISPLAY": self.display},
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout
        with Image.open(io.BytesIO(shot)) as image:
            return image.convert("RGB")

    def settled(
        self,
        window: str,
        what: str,
        log: Path,
        unlike: Image.Image | None = None,
        within: float | None = None,
        text: bool = True,
    ) -> Image.Image:
        """The window's picture once it stopped changing (the same in three captures in a row)
        and, with `text`, shows a page of text (mostly white, with ink between the running
        head and foot); with `unlike`, once it also differs from that picture. ReaderError
        after `within` seconds (default: the timeout), with the last capture."""
        limit = within or self.timeout
        deadline = time.monotonic() + limit
        image, previous, stable = None, None, 0
        while time.monotonic() < deadline:
            image = self.capture(window)
            stable = stable + 1 if previous is not None and same(image, previous) else 0
            if (
                stable >= 2
                and image.size == SCREEN
                and (not text or shows_text(image))
                and (unlike is None or not same(image, unlike))
            ):
                return image
            previous = image
            time.sleep(0.5)
        raise ReaderError(f"{what}: no page of text after {limit:.0f} s: {tail(log)}", image)

    def after_key(self, window: str, key: str, what: str, log: Path) -> Image.Image:
        """The page shown after a key press. A key pressed while the reader still lays the book
        out can be lost: while the picture does not change, the key is pressed again. A page
        that changed but shows no text is given BLANK_GRACE seconds more to draw it (a reader
        shows a blank page while it loads the next document of the book), then is an error."""
        before = self.capture(window)
        deadline = time.monotonic() + self.timeout
        while True:
            self.xdotool("key", key)
            try:
                turned = self.settled(window, what, log, unlike=before, within=10, text=False)
            except ReaderError:
                if time.monotonic() > deadline:
                    raise
                continue
            if shows_text(turned):
                return turned
            try:
                return self.settled(window, what, log, unlike=before, within=BLANK_GRACE)
            except ReaderError as error:
                raise ReaderError(f"{what}: a blank page: {tail(log)}", error.image) from None


def shows_text(image: Image.Image) -> bool:
    return white_fraction(image) >= 0.5 and text_layout(image)["ink"] >= MIN_INK


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def white_fraction(image: Image.Image) -> float:
    """The share of white pixels: a page of this book is 75 to 85 % white; a reader's loading
    screen is grey."""
    return sum(image.convert("L").histogram()[250:]) / (image.width * image.height)


def tail(log: Path, lines: int = 15) -> str:
    if not log.exists():
        return "(no log)"
    text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return "\n".join(["(log:)", *text[-lines:]]) if text else "(empty log)"


# --- one reader, one book --------------------------------------------------------------------


@contextlib.contextmanager
def reader(command: list[str], display: str, home: Path, env: dict[str, str]) -> Iterator:
    """A reader process in a fresh home, killed (it and what it started) on the way out."""
    log = home / "reader.log"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DBUS_", "XDG_", "WAYLAND", "QT_", "GTK_", "CALIBRE_"))
    }
    environment.update(
        DISPLAY=display,
        HOME=str(home),
        USER=f"reader-{home.name}",  # calibre names its single-instance socket after it
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        NO_AT_BRIDGE="1",
        **env,
    )
    (home / "runtime").mkdir(mode=0o700)
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            yield process, log
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(3)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def foliate(book: Path, screen: Screen, home: Path) -> dict[str, Image.Image]:
    """Foliate at the book's first chapter, reached through its table of contents."""
    env = {"GSETTINGS_BACKEND": "memory"}  # Foliate's default settings, none stored
    with reader(["foliate", str(book)], screen.display, home, env) as (process, log):
        window = screen.window("com.github.johnfactotum.Foliate", process, log)
        screen.fill(window)
        opening = screen.settled(window, "the opening page", log)
        deadline = time.monotonic() + screen.timeout
        steps = rows_to_chapter(book)
        row = None
        while row is None and time.monotonic() < deadline:
            screen.xdotool("key", "ctrl+t")  # again, should the first press be lost
            for _ in range(10):
                time.sleep(0.5)
                row = next_row(screen.capture(window), steps)
                if row:
                    break
        if row is None:
            raise ReaderError("its table of contents did not open", screen.capture(window))
        screen.xdotool("mousemove", str(row[0]), str(row[1]), "click", "1")
        screen.xdotool("mousemove", str(SCREEN[0] // 2), str(SCREEN[1] // 2))
        chapter = screen.settled(window, "the chapter", log, opening)
    return {"": chapter}


def rows_to_chapter(book: Path) -> int:
    """How many entries below the opening page's the book's navigation document lists the
    first chapter (its top level, as Foliate's table of contents shows it)."""
    xhtml = "{http://www.w3.org/1999/xhtml}"
    with zipfile.ZipFile(book) as epub:
        container = ET.fromstring(epub.read("META-INF/container.xml"))
        opf_path = next(e.get("full-path") for e in container.iter() if e.get("full-path"))
        opf = ET.fromstring(epub.read(opf_path))
        nav = next(i.get("href") for i in opf.iter() if "nav" in (i.get("properties") or ""))
        folder = str(Path(opf_path).parent)
        document = ET.fromstring(epub.read(nav if folder == "." else f"{folder}/{nav}"))
    top = document.find(f".//{xhtml}nav/{xhtml}ol")
    hrefs = [li.find(f"{xhtml}a").get("href") for li in top.findall(f"{xhtml}li")]
    return hrefs.index(CHAPTER)


def next_row(image: Image.Image, steps: int = 1) -> tuple[int, int] | None:
    """The middle of the row `steps` rows under the selected one in an open list, or None."""
    difference = ImageChops.difference(image, Image.new("RGB", image.size, SELECTED_ROW))
    mask = difference.convert("L").point(lambda value: 255 if value == 0 else 0)
    rows = [y for y, count in enumerate(profile(mask)) if count > 100]
    if len(rows) < 8:
        return None
    top, bottom = rows[0], rows[-1]
    left, _, right, _ = mask.crop((0, top, image.width, bottom + 1)).getbbox()
    return (left + right) // 2, (top + bottom) // 2 + steps * (bottom - top + 1)


def calibre(book: Path, screen: Screen, home: Path) -> dict[str, Image.Image]:
    """calibre's viewer at the book's first chapter, and the page after it."""
    config = home / "calibre"
    config.mkdir()
    # The viewer shows its controls help ("Welcome to the calibre E-book viewer") until it
    # has been shown twice, for ltr and rtl books apart (its read_book/view.pyj).
    seen = {"controls_help_shown_count": 2, "controls_help_shown_count_rtl_page_progression": 2}
    (config / "viewer-webengine.json").write_text(json.dumps({"session_data": seen}))
    env = {"CALIBRE_CONFIG_DIRECTORY": str(config), "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu"}
    if os.geteuid() == 0:  # Chromium refuses to run its sandbox as root
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    command = ["ebook-viewer", "--open-at", f"toc-href:{CHAPTER}", str(book)]
    with reader(command, screen.display, home, env) as (process, log):
        window = screen.window("calibre-ebook-viewer", process, log)
        screen.fill(window)
        chapter = screen.settled(window, "the chapter", log)
        # Page Down: the next page, whatever the book's direction.
        try:
            following = screen.after_key(window, "Next", "the next page", log)
        except ReaderError as error:
            error.suffix, error.pictures = "-next", {"": chapter}
            raise
    return {"": chapter, "-next": following}


READERS = {"foliate": foliate, "calibre": calibre}


def capture(
    paths: list[Path],
    engines: tuple[str, ...] = ENGINES,
    out: Path = OUT,
    timeout: float = 120,
    jobs: int = 1,
) -> tuple[dict[str, list[Path]], dict[tuple[str, str], str]]:
    """Screenshots of every book in every engine, `jobs` readers at a time (each on its own X
    server): ({engine: [written PNG, ...]}, {(engine, book name): what failed}). Missing
    programs or books raise ReaderError before anything runs."""
    missing = missing_tools(engines)
    if missing:
        raise ReaderError(
            "missing: "
            + ", ".join(f"{tool} (Debian package {package})" for tool, package in missing.items())
            + "; install them with `make system-test`"
        )
    for path in paths:
        if not path.exists():
            raise ReaderError(f"{path} is missing: build the EPUBs first (`make epub`)")
    for engine in engines:
        (out / engine).mkdir(parents=True, exist_ok=True)
    tasks = [(engine, book) for engine in engines for book in paths]
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        done = list(pool.map(lambda task: capture_one(*task, out, timeout), tasks))
    written: dict[str, list[Path]] = {engine: [] for engine in engines}
    failures: dict[tuple[str, str], str] = {}
    for (engine, book), (files, failure) in zip(tasks, done, strict=True):
        written[engine] += files
        if failure:
            failures[engine, book.stem] = failure
    return written, failures


def capture_one(engine: str, book: Path, out: Path, timeout: float) -> tuple[list[Path], str]:
    """One book in one engine, on an X server and in a home of its own: the PNGs written and
    what failed ("" when nothing did)."""
    written = []
    with xvfb() as display, tempfile.TemporaryDirectory(prefix=f"{engine}-") as home:
        try:
            pictures = READERS[engine](book, Screen(display, timeout), Path(home))
        except ReaderError as error:
            pictures, failure = dict(error.pictures), f"{engine}, {book.name}: {error}"
            if error.image is not None:  # what the reader showed instead, for a person
                pictures[f"{error.suffix}-failed"] = error.image
        else:
            failure = ""
        for suffix, image in pictures.items():
            target = out / engine / f"{book.stem}{suffix}.png"
            image.save(target)
            written.append(target)
    return written, failure


# --- what a screenshot shows -----------------------------------------------------------------


def ink_runs(profile: list[int], gap: int = 4) -> list[tuple[int, int]]:
    """The runs of a projection profile that hold ink, gaps narrower than `gap` closed."""
    runs: list[tuple[int, int]] = []
    for position, value in enumerate(profile):
        if not value:
            continue
        if runs and position - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], position + 1)
        else:
            runs.append((position, position + 1))
    return runs


def profile(ink: Image.Image) -> list[int]:
    """Ink pixels (255) in each row of a black and white picture."""
    width, data = ink.width, ink.tobytes()
    return [data[y * width : (y + 1) * width].count(255) for y in range(ink.height)]


def text_layout(image: Image.Image, margin: float = 0.07) -> dict[str, object]:
    """How the text on a page runs, from the ink alone (dark pixels: text, not frames).

    The ink of horizontal text, summed along each row of pixels, comes in many runs down the
    page (lines and paragraphs, parted by their leading; gaps under 5 pixels are closed), and
    summed along each column in one or two (the page, or the two pages of a spread): the gaps
    between words and characters of one line are filled by the others. Vertical text is the
    other way round. So the text is vertical when the columns give at least 4 runs and twice
    as many as the rows, horizontal in the opposite case, and unclear otherwise. The top and
    bottom `margin` of the window (a reader's running head and page number) are left out."""
    width, height = image.size
    top, bottom = int(height * margin), int(height * (1 - margin))
    grey = image.convert("L").crop((0, top, width, bottom))
    ink = grey.point(lambda value: 255 if value < 128 else 0)
    rows, columns = profile(ink), profile(ink.transpose(Image.Transpose.TRANSPOSE))
    row_runs, column_runs = ink_runs(rows), ink_runs(columns)
    if len(column_runs) >= max(4, 2 * len(row_runs)):
        orientation = "vertical"
    elif len(row_runs) >= max(4, 2 * len(column_runs)):
        orientation = "horizontal"
    else:
        orientation = "unclear"
    return {
        "ink": sum(rows) / (ink.width * ink.height),
        "row_runs": len(row_runs),
        "column_runs": len(column_runs),
        "orientation": orientation,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", nargs="*", metavar="BOOK")
    parser.add_argument("--engine", action="append", choices=ENGINES)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--jobs", type=int, default=2, help="readers at a time (default: 2)")
    args = parser.parse_args(argv)
    paths = books(args.books)
    if not paths:
        print(
            f"reading_systems: no EPUB in {layout.relative(layout.DOWNLOADS)}: run `make epub`",
            file=sys.stderr,
        )
        return 2
    try:
        written, failures = capture(
            paths, tuple(args.engine or ENGINES), args.out, args.timeout, args.jobs
        )
    except ReaderError as error:
        print(f"reading_systems: {error}", file=sys.stderr)
        return 2
    for files in written.values():
        for path in files:
            with Image.open(path) as image:
                found = text_layout(image.convert("RGB"))
            print(f"{layout.relative(path)}: {found['orientation']} text, ink {found['ink']:.1%}")
    for failure in failures.values():
        print(f"reading_systems: {failure}", file=sys.stderr)
    if failures:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
