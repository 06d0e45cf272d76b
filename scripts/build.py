"""Build the book: every published language in HTML, EPUB and PDF, strictly.

Usage:
    python scripts/build.py [FORMAT ...] [--lang TAG ...] [--jobs N]

    FORMAT   html, epub, pdf, or all (the default)
    --lang   only these languages (default: every published language, see languages.py)
    --jobs   languages built side by side, one process each (default: the number of CPUs)

Every Sphinx run is `-n -W --keep-going`: a warning fails the build. A language's catalogs are
checked first (scripts/catalogs.py): a broken catalog fails its edition before anything runs.
Each edition is built in build/work/<lang>/ and published only when all its requested formats
succeeded, by a copy and a rename:

    build/site/<lang>/                      the HTML edition
    build/site/downloads/<book>-<lang>.epub the EPUB edition
    build/site/downloads/<book>-ja-vertical.epub  the vertical (縦書き) EPUB, where the
                                            language's row says vertical_epub
    build/site/downloads/<book>-<lang>.pdf  the PDF edition
    build/site/downloads/SHA256SUMS         checksums of the downloads
    build/site/index.html, translation-status.html   the pages around the editions
    build/site/review/<lang>.html           each translation's review page (review.py)

A failed edition leaves what was published before in place (of every language) and the
command exits non-zero, naming the cause, the file and line where there is one, and the log.
Dates come from SOURCE_DATE_EPOCH (default: the last commit): two builds of one commit give
the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import catalogs  # noqa: E402
import languages  # noqa: E402
import site_pages  # noqa: E402
import site_url  # noqa: E402
import worktree  # noqa: E402

DOCS = ROOT / "docs"
BUILD = ROOT / "build"
WORK = BUILD / "work"
SITE = BUILD / "site"
DOWNLOADS = SITE / "downloads"
BOOK_SLUG = "xi-russia-2023"
FORMATS = ("html", "epub", "pdf")
SPHINX_STRICT = ("-n", "-W", "--keep-going", "-q")
# Lines of a Sphinx log that say what is wrong, with file and line.
SPHINX_PROBLEM = re.compile(r"^.*\b(WARNING|ERROR|CRITICAL)\b.*$", re.M)
# Lines of a LaTeX log that mean a reader would see a wrong or missing glyph, or an error.
LATEX_LOG_PROBLEMS = re.compile(r"^(Missing character: .*|! .*|\S+\.tex:\d+: .*)$", re.M)
MISSING_FONT = re.compile(r'The font "([^"]+)" cannot be found')


# What every worker imports, whatever its language: imported once, in the fork server. Nothing
# here reads a catalog or the configuration (a worker's language must start clean).
PRELOAD = (
    "sphinx.cmd.build",
    "sphinx.application",
    "sphinx.builders.html",
    "sphinx.builders.epub3",
    "sphinx.builders.latex",
    "myst_parser",
    "furo",
    "sphinxext.opengraph",
    "sphinx_sitemap",
    "notfound.extension",
    "PIL.Image",
)


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
    env["SOURCE_DATE_EPOCH"] = worktree.source_date_epoch()
    env["FORCE_SOURCE_DATE"] = "1"  # LuaTeX/XeTeX: PDF dates from SOURCE_DATE_EPOCH too
    env["PYTHONHASHSEED"] = "0"  # set and dict orders, hence the search index, fixed
    env["TZ"] = "UTC"
    # TeX wraps its log at 79 columns, cutting file names and messages in two: not here.
    env["max_print_line"] = "10000"
    return env


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def problems_in(log: Path) -> list[str]:
    """The lines of a log that say what is wrong (with file and line), else its end."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    problems = list(dict.fromkeys(match[0] for match in SPHINX_PROBLEM.finditer(text)))
    return problems[:20] if problems else text.splitlines()[-25:]


def sphinx(edition: Edition, builder: str, variant: str = "", *settings: str) -> Path:
    """Run one Sphinx builder in this process (the imports of Sphinx, MyST and the theme are
    paid once per language, not once per format), strictly, logging to build/work/.
    A variant (e.g. "vertical", with its `-D` settings) gets a folder and a log of its own."""
    from sphinx.cmd.build import build_main

    name = f"{builder}-{variant}" if variant else builder
    out = edition.work / name
    # One doctree cache per language: the LaTeX, HTML and EPUB builders of a language read
    # the sources once between them (the settings that differ only affect writing).
    doctrees = edition.work / "doctrees"
    log = edition.work / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    args = [
        "-b",
        builder,
        *SPHINX_STRICT,
        "-D",
        f"language={edition.language.tag}",
        *(arg for setting in settings for arg in ("-D", setting)),
        "-d",
        str(doctrees),
        str(DOCS),
        str(out),
    ]
    with (
        log.open("w", encoding="utf-8") as stream,
        redirect_stdout(stream),
        redirect_stderr(stream),
    ):
        try:
            code = build_main(args)
        except SystemExit as exc:  # a conf.py or extension that exits
            code = exc.code if isinstance(exc.code, int) else 1
    if code != 0:
        raise BuildError(
            f"{edition.name}: Sphinx ({builder}) failed (exit {code}); full log: "
            f"{relative(log)}\n  " + "\n  ".join(problems_in(log))
        )
    return out


def require_tools(edition: Edition) -> None:
    for tool in ("latexmk", edition.language.latex_engine):
        if not shutil.which(tool):
            raise BuildError(
                f"{edition.name}: `{tool}` is not installed; the PDF of this language needs the "
                f"Debian packages {' '.join(edition.language.debian_packages)} "
                "(`make pdf` installs them as root, or: sudo python3 scripts/setup_env.py system)"
            )


def latex_problems(edition: Edition, tex_log: Path) -> str:
    text = tex_log.read_text(encoding="utf-8", errors="replace") if tex_log.exists() else ""
    font = MISSING_FONT.search(text)
    if font:
        return (
            f"{edition.name}: the font {font[1]!r} is missing (set in languages.toml, "
            f"[languages.{edition.language.tag}] or [defaults]); it comes with the Debian "
            f"packages {' '.join(edition.language.debian_packages)}; LaTeX log: {relative(tex_log)}"
        )
    problems = sorted(set(LATEX_LOG_PROBLEMS.findall(text)))
    if problems:
        return f"{edition.name}: the LaTeX log {relative(tex_log)} reports:\n  " + "\n  ".join(
            problems[:20]
        )
    return ""


def start_latexmk(edition: Edition) -> tuple[subprocess.Popen, Path]:
    """LaTeX runs beside the HTML and EPUB builds of the same language."""
    out = edition.work / "latex"
    log = edition.work / "latexmk.log"
    stream = log.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [
            "latexmk",
            f"-{edition.language.latex_engine}",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-file-line-error",
            f"{edition.basename}.tex",
        ],
        cwd=out,
        stdout=stream,
        stderr=subprocess.STDOUT,
    )
    stream.close()
    return process, log


def finish_latexmk(edition: Edition, process: subprocess.Popen, log: Path) -> Path:
    code = process.wait()
    tex_log = edition.work / "latex" / f"{edition.basename}.log"
    problems = latex_problems(edition, tex_log)
    if code != 0 or problems:
        raise BuildError(
            problems
            or f"{edition.name}: latexmk failed (exit {code}); full log: {relative(log)}\n  "
            + "\n  ".join(problems_in(log))
        )
    return edition.work / "latex" / f"{edition.basename}.pdf"


Result = tuple[str, str, str, str, float]  # language, format, artefact, error, seconds


def build_language(tag: str, formats: list[str]) -> list[Result]:
    """Every requested format of one language, in one worker process: LaTeX starts first and
    runs while the HTML and EPUB are written. Nothing is published here."""
    language = languages.get(tag)
    results: list[Result] = []
    started = time.monotonic()
    latex = None
    if "pdf" in formats:
        edition = Edition(language, "pdf")
        try:
            require_tools(edition)
            sphinx(edition, "latex")
            latex = start_latexmk(edition)
            # LaTeX is the long pole of an edition; the HTML and EPUB, which this process
            # writes meanwhile, yield the CPU to it (and to the other languages' LaTeX).
            os.nice(5)
        except BuildError as exc:
            results.append((tag, "pdf", "", str(exc), time.monotonic() - started))
    for fmt in (f for f in formats if f != "pdf"):
        edition, begun = Edition(language, fmt), time.monotonic()
        try:
            out = sphinx(edition, fmt)
            artefact = out if fmt == "html" else out / f"{edition.basename}.epub"
            results.append((tag, fmt, str(artefact), "", time.monotonic() - begun))
            if fmt == "epub" and language.vertical_epub:
                begun = time.monotonic()
                out = sphinx(edition, fmt, "vertical", "epub_writing_mode=vertical")
                artefact = out / f"{edition.basename}-vertical.epub"
                results.append((tag, fmt, str(artefact), "", time.monotonic() - begun))
        except BuildError as exc:
            results.append((tag, fmt, "", str(exc), time.monotonic() - begun))
    if latex is not None:
        edition = Edition(language, "pdf")
        try:
            pdf = finish_latexmk(edition, *latex)
            results.append((tag, "pdf", str(pdf), "", time.monotonic() - started))
        except BuildError as exc:
            results.append((tag, "pdf", "", str(exc), time.monotonic() - started))
    return results


# -- What is out of date ----------------------------------------------------------------------
# An edition is rebuilt when any of its inputs changed: the source (docs/), its catalogs, the
# language table, the build scripts, the locked tools, the build date, the published languages
# (the HTML's switcher lists them). Otherwise it is skipped whole: no Sphinx, no LaTeX, nothing
# rewritten. Within a rebuilt edition, Sphinx and latexmk redo only what changed.
SHARED_INPUTS = (
    "docs",
    "languages.toml",
    "requirements.lock",
    "scripts/build.py",
    "scripts/catalogs.py",
    "scripts/languages.py",
    "scripts/message_checks.py",
    "scripts/myst_syntax.py",
    "locale/glossary.toml",
    "scripts/review.py",
    "scripts/site_pages.py",
    "scripts/site_url.py",
    "scripts/site_static",
    "scripts/templates",
)


def input_files(tag: str) -> list[Path]:
    files = []
    for name in SHARED_INPUTS:
        path = ROOT / name
        files += [path] if path.is_file() else sorted(path.rglob("*"))
    files += sorted((languages.LOCALE_DIR / tag).rglob("*.po"))
    return [f for f in files if f.is_file() and "__pycache__" not in f.parts]


def inputs_digest(language: languages.Language, published: list[languages.Language]) -> str:
    """The digest of a language's inputs; all its formats share them."""
    digest = hashlib.sha256()
    for path in input_files(language.tag):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(build_env()["SOURCE_DATE_EPOCH"].encode())
    digest.update(site_url.base_url().encode())  # every page's canonical URL and more
    digest.update(" ".join(f"{lang.tag}={lang.native_name}" for lang in published).encode())
    return digest.hexdigest()


def published_targets(edition: Edition) -> list[Path]:
    if edition.fmt == "html":
        return [SITE / edition.language.tag / "index.html"]
    targets = [DOWNLOADS / f"{edition.basename}.{edition.fmt}"]
    if edition.fmt == "epub" and edition.language.vertical_epub:
        targets.append(DOWNLOADS / f"{edition.basename}-vertical.epub")
    return targets


def stamp(edition: Edition) -> Path:
    return edition.work / f"{edition.fmt}.inputs.sha256"


def up_to_date(edition: Edition, digest: str) -> bool:
    path = stamp(edition)
    return (
        path.exists()
        and path.read_text().strip() == digest
        and all(target.exists() for target in published_targets(edition))
    )


# -- Publishing --------------------------------------------------------------------------------


def publish_tree(source: Path, target: Path) -> None:
    """Replace target by a copy of source, through a sibling folder and two renames."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(source, staging, ignore=shutil.ignore_patterns(".buildinfo*", ".doctrees"))
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def publish_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.new")
    shutil.copyfile(source, staging)
    staging.replace(target)


def publish(edition: Edition, artefact: Path) -> Path:
    if edition.fmt == "html":
        target = SITE / edition.language.tag
        publish_tree(artefact, target)
    else:
        target = DOWNLOADS / artefact.name
        publish_file(artefact, target)
    return target


def write_checksums() -> None:
    """SHA256SUMS beside the downloads, in the format `sha256sum -c` reads."""
    files = sorted(p for p in DOWNLOADS.glob(f"{BOOK_SLUG}-*") if p.suffix in (".epub", ".pdf"))
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files]
    staging = DOWNLOADS / ".SHA256SUMS.new"
    staging.write_text("".join(lines), encoding="utf-8")
    staging.replace(DOWNLOADS / "SHA256SUMS")


# -- Command -----------------------------------------------------------------------------------


def page_errors() -> list[str]:
    """Pages that cannot make a chapter: each MyST page needs its level-1 title."""
    errors = []
    for page in sorted(DOCS.rglob("*.md")):
        if any(part.startswith(("_", ".")) for part in page.relative_to(DOCS).parts):
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        if not text.strip():
            errors.append(f"{relative(page)}:1: the page is empty")
        elif not re.search(r"^# \S", text, re.M):
            errors.append(f"{relative(page)}:1: the page has no level-1 title (# …)")
    return errors


def catalog_errors(language: languages.Language) -> list[str]:
    """Blocking findings of the catalog checks: such a catalog is not built at all."""
    return [
        str(finding)
        for path in catalogs.catalog_files(language.tag)
        for finding in catalogs.check_catalog(path, language)
        if finding.blocking
    ]


def selected_languages(tags: list[str] | None) -> list[languages.Language]:
    published = languages.published_languages()
    if not tags:
        return published
    wanted = [languages.get(tag) for tag in tags]
    unpublished = [lang.tag for lang in wanted if lang not in published]
    if unpublished:
        raise languages.LanguageError(
            f"not published (no folder locale/<tag>/): {', '.join(unpublished)}"
        )
    return wanted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # No `choices=`: the argparse of Python 3.11 rejects an empty list against them.
    parser.add_argument("formats", nargs="*", metavar="FORMAT", help="html, epub, pdf or all")
    parser.add_argument("--lang", action="append", dest="langs", metavar="TAG")
    parser.add_argument(
        "--jobs", type=int, default=0, help="worker processes (default: one per language)"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.formats) - {*FORMATS, "all"})
    if unknown:
        parser.error(f"unknown format {', '.join(unknown)}; choose from html, epub, pdf, all")
    formats = (
        FORMATS if not args.formats or "all" in args.formats else tuple(dict.fromkeys(args.formats))
    )
    try:
        selected = selected_languages(args.langs)
    except languages.LanguageError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 2

    pages = page_errors()
    if pages:
        print("build: FAILED the source:\n  " + "\n  ".join(pages), file=sys.stderr)
        print("build: nothing published; what was published before is unchanged", file=sys.stderr)
        return 1

    published = languages.published_languages()
    digests = {lang.tag: inputs_digest(lang, published) for lang in selected}
    stale = {
        lang.tag: [f for f in formats if not up_to_date(Edition(lang, f), digests[lang.tag])]
        for lang in selected
    }
    for lang in selected:
        if not stale[lang.tag]:
            print(f"build: {lang.tag:10} up to date ({', '.join(formats)})", flush=True)
    failed: dict[str, list[str]] = defaultdict(list)
    buildable = []
    for language in (lang for lang in selected if stale[lang.tag]):
        errors = catalog_errors(language)
        if errors:
            failed[language.tag].append(
                f"{language.tag}: its catalogs do not pass the checks:\n  " + "\n  ".join(errors)
            )
        else:
            buildable.append(language)

    # One worker process per language, forked from a fork server that was started with the
    # settings of build_env() (so PYTHONHASHSEED holds from the start) and has imported
    # Sphinx, MyST and the theme once for all the workers; within a worker, LaTeX runs beside
    # the HTML and EPUB builds. On 2 cores this keeps both busy from the first second.
    os.environ.update(build_env())
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    todo = {lang.tag: [f for f in FORMATS if f in stale[lang.tag]] for lang in buildable}
    built: dict[str, list[tuple[Edition, Path]]] = defaultdict(list)
    # As many workers as cores: a third would only make the LaTeX runs take turns.
    workers = max(1, min(args.jobs or os.cpu_count() or 1, len(todo) or 1))
    # A fresh process for every language: Sphinx caches the catalogs it loaded per process
    # (sphinx.locale.translators), so a second language built in the same process would
    # come out in the first one's words.
    with ProcessPoolExecutor(workers, mp_context=context, max_tasks_per_child=1) as pool:
        for results in pool.map(build_language, todo, todo.values()):
            for tag, fmt, artefact, error, seconds in results:
                edition = Edition(languages.get(tag), fmt)
                if error:
                    failed[tag].append(error)
                else:
                    built[tag].append((edition, Path(artefact)))
                    print(f"build: {edition.name:10} {seconds:6.1f} s  built", flush=True)

    for tag, artefacts in built.items():
        if tag in failed:
            continue  # an edition is published whole or not at all
        for edition, artefact in artefacts:
            target = publish(edition, artefact)
            stamp(edition).write_text(digests[tag] + "\n")
            print(f"build: {edition.name:10} published {relative(target)}", flush=True)
    published_now = [e for tag, items in built.items() if tag not in failed for e, _ in items]
    if any(e.fmt != "html" for e in published_now):
        write_checksums()
    if any(e.fmt == "html" for e in published_now):
        site_pages.write(SITE, BOOK_SLUG)
        print("build: site       published build/site/index.html, translation-status.html, review/")

    for tag, errors in failed.items():
        for error in errors:
            print(f"build: FAILED {error}", file=sys.stderr)
        print(
            f"build: {tag}: nothing published; what was published before is unchanged",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
