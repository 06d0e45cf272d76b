"""Build the book: every published language in HTML, EPUB and PDF, strictly.

Usage:
    python scripts/build.py [FORMAT ...] [--lang TAG ...] [--jobs N]

    FORMAT   html, epub, pdf, or all (the default)
    --lang   only these languages (default: every published language, see languages.py)
    --jobs   editions built side by side (default: the number of CPUs)

Every Sphinx run is `-n -W --keep-going`: a warning fails the build. Each edition is built
in build/work/<lang>/ and copied to the published tree only when it succeeded:

    build/site/<lang>/                      the HTML edition
    build/site/downloads/<book>-<lang>.epub the EPUB edition
    build/site/downloads/<book>-<lang>.pdf  the PDF edition

A failed edition leaves what was published before in place and the command exits non-zero,
naming the edition and the log to read.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import languages  # noqa: E402
import site_pages  # noqa: E402

DOCS = ROOT / "docs"
BUILD = ROOT / "build"
WORK = BUILD / "work"
SITE = BUILD / "site"
DOWNLOADS = SITE / "downloads"
BOOK_SLUG = "xi-russia-2023"
FORMATS = ("html", "epub", "pdf")
SPHINX_STRICT = ("-n", "-W", "--keep-going", "-q")
# Lines of a LaTeX log that mean a reader would see a wrong or missing glyph.
LATEX_LOG_PROBLEMS = re.compile(r"^(Missing character: .*|! .*)$", re.M)


class BuildError(Exception):
    """An edition failed; the message names it and where to look."""


@dataclass(frozen=True)
class Edition:
    language: languages.Language
    fmt: str

    @property
    def name(self) -> str:
        return f"{self.language.tag}/{self.fmt}"

    @property
    def work(self) -> Path:
        return WORK / self.language.tag

    @property
    def basename(self) -> str:
        return f"{BOOK_SLUG}-{self.language.tag}"


def build_env() -> dict[str, str]:
    """The environment of every tool: dates from SOURCE_DATE_EPOCH (the last commit)."""
    env = dict(os.environ)
    if not env.get("SOURCE_DATE_EPOCH"):
        try:
            env["SOURCE_DATE_EPOCH"] = subprocess.run(
                ["git", "log", "-1", "--format=%ct"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            env["SOURCE_DATE_EPOCH"] = str(int(time.time()))
    env["FORCE_SOURCE_DATE"] = "1"  # LuaTeX/XeTeX: PDF dates from SOURCE_DATE_EPOCH too
    return env


def run(command: list[str | Path], edition: Edition, log: Path, cwd: Path = ROOT) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(
            [str(c) for c in command],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=build_env(),
        )
    if result.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:])
        raise BuildError(
            f"{edition.name}: `{Path(str(command[0])).name}` failed "
            f"(exit {result.returncode}); full log: {log.relative_to(ROOT)}\n{tail}"
        )


def sphinx(edition: Edition, builder: str) -> Path:
    out = edition.work / builder
    # One doctree cache per builder: html and epub pickle different settings into theirs.
    doctrees = edition.work / f"doctrees-{builder}"
    run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            builder,
            *SPHINX_STRICT,
            "-D",
            f"language={edition.language.tag}",
            "-d",
            doctrees,
            DOCS,
            out,
        ],
        edition,
        edition.work / f"{builder}.log",
    )
    return out


def publish_tree(source: Path, target: Path) -> None:
    """Replace target by a copy of source, through a sibling folder and two renames."""
    staging = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(source, staging, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def publish_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.new")
    shutil.copyfile(source, staging)
    staging.replace(target)


def build_html(edition: Edition) -> Path:
    out = sphinx(edition, "html")
    target = SITE / edition.language.tag
    target.parent.mkdir(parents=True, exist_ok=True)
    publish_tree(out, target)
    return target


def build_epub(edition: Edition) -> Path:
    out = sphinx(edition, "epub")
    target = DOWNLOADS / f"{edition.basename}.epub"
    publish_file(out / f"{edition.basename}.epub", target)
    return target


def build_pdf(edition: Edition) -> Path:
    engine = edition.language.latex_engine
    for tool in ("latexmk", engine):
        if not shutil.which(tool):
            raise BuildError(
                f"{edition.name}: `{tool}` is not installed; the PDF of this language needs the "
                f"Debian packages {' '.join(edition.language.debian_packages)} "
                "(run `make pdf` as root, or: python3 scripts/setup_env.py system)"
            )
    out = sphinx(edition, "latex")
    tex = f"{edition.basename}.tex"
    log = edition.work / "latexmk.log"
    run(
        [
            "latexmk",
            f"-{engine}",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-file-line-error",
            tex,
        ],
        edition,
        log,
        cwd=out,
    )
    tex_log = (out / f"{edition.basename}.log").read_text(encoding="utf-8", errors="replace")
    problems = LATEX_LOG_PROBLEMS.findall(tex_log)
    if problems:
        raise BuildError(
            f"{edition.name}: the LaTeX log {(out / edition.basename).relative_to(ROOT)}.log "
            "reports:\n  " + "\n  ".join(sorted(set(problems))[:20])
        )
    target = DOWNLOADS / f"{edition.basename}.pdf"
    publish_file(out / f"{edition.basename}.pdf", target)
    return target


BUILDERS = {"html": build_html, "epub": build_epub, "pdf": build_pdf}


def build_edition(edition: Edition) -> tuple[Edition, Path | None, str, float]:
    started = time.monotonic()
    try:
        target = BUILDERS[edition.fmt](edition)
    except BuildError as exc:
        return edition, None, str(exc), time.monotonic() - started
    return edition, target, "", time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # No `choices=`: the argparse of Python 3.11 rejects an empty list against them.
    parser.add_argument("formats", nargs="*", metavar="FORMAT", help="html, epub, pdf or all")
    parser.add_argument("--lang", action="append", dest="langs", metavar="TAG")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.formats) - {*FORMATS, "all"})
    if unknown:
        parser.error(f"unknown format {', '.join(unknown)}; choose from html, epub, pdf, all")

    try:
        published = languages.published_languages()
        if args.langs:
            wanted = [languages.get(tag) for tag in args.langs]
            unpublished = [lang.tag for lang in wanted if lang not in published]
            if unpublished:
                raise languages.LanguageError(
                    f"not published (no locale/<tag>/ folder): {', '.join(unpublished)}"
                )
            published = wanted
    except languages.LanguageError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 2

    formats = (
        FORMATS if not args.formats or "all" in args.formats else tuple(dict.fromkeys(args.formats))
    )
    # PDFs first: LaTeX is the longest job, so it starts while the others run beside it.
    editions = [
        Edition(lang, fmt)
        for fmt in sorted(formats, key=lambda f: f != "pdf")
        for lang in published
    ]
    failures = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for edition, target, error, seconds in pool.map(build_edition, editions):
            if error:
                failures += 1
                print(f"build: FAILED {error}", file=sys.stderr, flush=True)
            else:
                print(
                    f"build: {edition.name:10} {seconds:6.1f} s  {target.relative_to(ROOT)}",
                    flush=True,
                )
    if "html" in formats and not failures:
        site_pages.write(SITE, BOOK_SLUG)
        print("build: site       build/site/index.html, build/site/translation-status.html")
    if failures:
        print(
            f"build: {failures} edition(s) failed; published editions were left as they were",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
