"""Build the book: every published language in HTML, EPUB and PDF, strictly.

Usage:
    python -m book.build [FORMAT ...] [--lang TAG ...] [--jobs N]      (make book, html, …)

    FORMAT   html, epub, pdf, or all (the default)
    --lang   only these languages (default: every published language, book.languages)
    --jobs   languages built side by side, one process each (default: the number of CPUs)

Four steps, each a function with a typed result:

    plan     which editions (book.editions) are out of date, and which languages are refused
             before anything runs (a page without its title, a catalog failing the checks of
             book.catalogs)                                                      → Plan
    run      the stale editions, one worker process per language, every Sphinx run strict
             (book.strict_sphinx: a warning fails the build); a tagged PDF's links broken
             across lines are joined in its structure (book.pdf_links)           → Outcome
    publish  each language whose editions all succeeded, by a copy and a rename, where
             book.editions says (build/site/<tag>/, build/site/downloads/…); the checksums
             and the pages around the editions (book.site_pages)                 → Report
    report   what was built, published and refused, on stdout and stderr         → exit code

A failed edition leaves what was published before in place (of every language) and the
command exits non-zero, naming the cause, the file and line where there is one, and the log.
Dates come from SOURCE_DATE_EPOCH (default: the last commit): two builds of one commit give
the same bytes.
"""

from __future__ import annotations

import argparse
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
from dataclasses import dataclass, field
from pathlib import Path

from book import (
    editions,
    files,
    languages,
    layout,
    pages,
    site_pages,
    site_url,
    strict_sphinx,
    translations,
    worktree,
)
from book.editions import Edition
from book.languages import Language

# Lines of a Sphinx log that say what is wrong, with file and line.
SPHINX_PROBLEM = re.compile(r"^.*\b(WARNING|ERROR|CRITICAL)\b.*$", re.M)
# Lines of a LaTeX log that mean a reader would see a wrong or missing glyph, or an error,
# or (a tagged PDF: languages.toml tagged_pdf) a structure a screen reader would read wrong.
LATEX_LOG_PROBLEMS = re.compile(
    r"^(Missing character: .*|! .*|\S+\.tex:\d+: .*|Package tagpdf Warning: .*)$", re.M
)
MISSING_FONT = re.compile(r'The font "([^"]+)" cannot be found')
# What an edition's inputs are, besides its language's catalogs: the source, the book's
# code, the language table, the glossary, the locked tools. The build date, the site's
# address and the published languages (the HTML's switcher lists them) count too.
# pyproject.toml: the version, the slug and the address every edition prints (src/book/project.py).
SHARED_INPUTS = (
    "docs",
    "src/book",
    "languages.toml",
    "locale/glossary.toml",
    "requirements.lock",
    "pyproject.toml",
)

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


# -- Where an edition is made ------------------------------------------------------------------


def work_dir(edition: Edition) -> Path:
    """A language's working folder: its Sphinx outputs, logs, stamps and doctree cache."""
    return layout.WORK / edition.language.tag


def output_name(edition: Edition) -> str:
    """The Sphinx output folder of an edition in its working folder: html, epub-vertical…"""
    builder = "latex" if edition.fmt == "pdf" else edition.fmt
    return f"{builder}-{edition.variant}" if edition.variant else builder


def stamp(edition: Edition) -> files.Stamp:
    return files.Stamp(work_dir(edition) / f"{output_name(edition)}.inputs.sha256")


# -- Plan --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    formats: tuple[str, ...]
    digests: dict[str, str]  # the inputs' digest of each selected language, by tag
    todo: dict[str, list[Edition]]  # the stale editions of each language to build
    current: dict[str, list[Edition]]  # languages whose requested editions are up to date
    refused: dict[str, list[str]]  # languages not built at all, and why


class PlanError(Exception):
    """Nothing can be built: the message says why, with file and line."""


def input_files(tag: str) -> list[Path]:
    shared = files.files_below(layout.ROOT, SHARED_INPUTS)
    return shared + translations.catalog_files(tag)


def inputs_digest(language: Language, published: list[Language]) -> str:
    """The digest of a language's inputs; all its editions share them."""
    return files.digest(
        input_files(language.tag),
        layout.ROOT,
        extra=(
            build_env()["SOURCE_DATE_EPOCH"],
            site_url.base_url(),  # every page's canonical URL and more
            " ".join(f"{lang.tag}={lang.native_name}" for lang in published),
        ),
    )


def up_to_date(edition: Edition, digest: str) -> bool:
    target = edition.published / "index.html" if edition.fmt == "html" else edition.published
    return stamp(edition).matches(digest) and target.exists()


def page_errors() -> list[str]:
    """Pages that cannot make a chapter: each MyST page needs its level-1 title."""
    errors = []
    for docname in pages.docnames():
        path = pages.source(docname)
        text = path.read_text(encoding="utf-8", errors="replace")
        if not text.strip():
            errors.append(f"{layout.relative(path)}:1: the page is empty")
        elif pages.title_in(text) is None:
            errors.append(f"{layout.relative(path)}:1: the page has no level-1 title (# …)")
    return errors


def catalog_errors(language: Language) -> list[str]:
    """Blocking findings of the catalog checks: such a catalog is not built at all."""
    from book import catalogs  # the catalog checks: msgfmt, babel, the message checks

    return [
        str(finding)
        for path in translations.catalog_files(language.tag)
        for finding in catalogs.check_catalog(path, language)
        if finding.blocking
    ]


def selected_languages(tags: list[str] | None) -> list[Language]:
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


def plan(formats: tuple[str, ...], tags: list[str] | None) -> Plan:
    """What to build: raises PlanError (a page) or LanguageError (the table, --lang)."""
    selected = selected_languages(tags)
    errors = page_errors()
    if errors:
        raise PlanError("the source:\n  " + "\n  ".join(errors))
    published = languages.published_languages()
    digests = {lang.tag: inputs_digest(lang, published) for lang in selected}
    todo: dict[str, list[Edition]] = {}
    current: dict[str, list[Edition]] = {}
    refused: dict[str, list[str]] = {}
    for language in selected:
        wanted = editions.editions_of(language, formats)
        stale = [e for e in wanted if not up_to_date(e, digests[language.tag])]
        if not stale:
            current[language.tag] = wanted
            continue
        problems = catalog_errors(language)
        if problems:
            refused[language.tag] = [
                f"{language.tag}: its catalogs do not pass the checks:\n  " + "\n  ".join(problems)
            ]
        else:
            todo[language.tag] = stale
    return Plan(formats, digests, todo, current, refused)


# -- Run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """One edition's run: its artefact in the working folder, or the error."""

    edition: Edition
    artefact: Path | None
    error: str
    seconds: float


def problems_in(log: Path) -> list[str]:
    """The lines of a log that say what is wrong (with file and line), else its end."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    problems = list(dict.fromkeys(match[0] for match in SPHINX_PROBLEM.finditer(text)))
    return problems[:20] if problems else text.splitlines()[-25:]


def sphinx(edition: Edition) -> Path:
    """Run one Sphinx builder in this process (the imports of Sphinx, MyST and the theme are
    paid once per language, not once per format), strictly, logging to build/work/."""
    from sphinx.cmd.build import build_main

    name = output_name(edition)
    builder = name.split("-")[0]
    out = work_dir(edition) / name
    log = work_dir(edition) / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    # One doctree cache per language: the LaTeX, HTML and EPUB builders of a language read
    # the sources once between them (the settings that differ only affect writing).
    args = strict_sphinx.arguments(
        builder,
        out,
        language=edition.language.tag,
        settings=edition.sphinx_settings,
        doctrees=work_dir(edition) / "doctrees",
    )
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
            f"{layout.relative(log)}\n  " + "\n  ".join(problems_in(log))
        )
    return out


def require_tools(edition: Edition) -> None:
    for tool in ("latexmk", edition.language.latex_engine):
        if not shutil.which(tool):
            raise BuildError(
                f"{edition.name}: `{tool}` is not installed; the PDF of this language needs the "
                f"Debian packages {' '.join(edition.language.debian_packages)} "
                "(`make pdf` installs them)"
            )


def latex_problems(edition: Edition, tex_log: Path) -> str:
    text = tex_log.read_text(encoding="utf-8", errors="replace") if tex_log.exists() else ""
    font = MISSING_FONT.search(text)
    packages = " ".join(edition.language.debian_packages)
    if font:
        return (
            f"{edition.name}: the font {font[1]!r} is missing (set in languages.toml, "
            f"[languages.{edition.language.tag}] or [defaults]); it comes with the Debian "
            f"packages {packages}; LaTeX log: {layout.relative(tex_log)}"
        )
    problems = sorted(set(LATEX_LOG_PROBLEMS.findall(text)))
    if problems:
        return (
            f"{edition.name}: the LaTeX log {layout.relative(tex_log)} reports:\n  "
            + "\n  ".join(problems[:20])
        )
    return ""


def start_latexmk(edition: Edition) -> tuple[subprocess.Popen, Path]:
    """LaTeX runs beside the HTML and EPUB builds of the same language."""
    log = work_dir(edition) / "latexmk.log"
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
        cwd=work_dir(edition) / output_name(edition),
        stdout=stream,
        stderr=subprocess.STDOUT,
    )
    stream.close()
    return process, log


def finish_latexmk(edition: Edition, process: subprocess.Popen, log: Path) -> Path:
    code = process.wait()
    out = work_dir(edition) / output_name(edition)
    problems = latex_problems(edition, out / f"{edition.basename}.log")
    if code != 0 or problems:
        raise BuildError(
            problems
            or f"{edition.name}: latexmk failed (exit {code}); full log: {layout.relative(log)}"
            + "\n  "
            + "\n  ".join(problems_in(log))
        )
    pdf = out / edition.file_name
    return join_split_links(edition, pdf) if edition.language.tagged_pdf else pdf


def join_split_links(edition: Edition, pdf: Path) -> Path:
    """A tagged PDF as it is published: LaTeX's, with each piece of a link broken across lines
    in the link's structure element (book.pdf_links: tagpdf tags the first piece only). Written
    beside LaTeX's, which stays as LaTeX wrote it; a failure is the edition's, so nothing of
    the language is published."""
    from book import pdf_links  # pikepdf: only the tagged editions need it

    joined = pdf.with_name(f"{edition.basename}.links.pdf")
    try:
        pdf_links.fix_file(pdf, joined)
    except pdf_links.LinkError as exc:
        raise BuildError(
            f"{edition.name}: the links of {layout.relative(pdf)} cannot be put into their "
            f"Link structure elements (book.pdf_links): {exc.problem}"
        ) from exc
    return joined


def build_language(todo: list[Edition]) -> list[Built]:
    """The given editions of one language, in one worker process: LaTeX starts first and
    runs while the HTML and EPUB are written. Nothing is published here."""
    results: list[Built] = []
    started = time.monotonic()
    latex = None
    pdf = next((e for e in todo if e.fmt == "pdf"), None)
    if pdf is not None:
        try:
            require_tools(pdf)
            sphinx(pdf)
            latex = start_latexmk(pdf)
            # LaTeX is the long pole of an edition; the HTML and EPUB, which this process
            # writes meanwhile, yield the CPU to it (and to the other languages' LaTeX).
            os.nice(5)
        except BuildError as exc:
            results.append(Built(pdf, None, str(exc), time.monotonic() - started))
    for edition in (e for e in todo if e.fmt != "pdf"):
        begun = time.monotonic()
        try:
            out = sphinx(edition)
            artefact = out if edition.fmt == "html" else out / edition.file_name
            results.append(Built(edition, artefact, "", time.monotonic() - begun))
        except BuildError as exc:
            results.append(Built(edition, None, str(exc), time.monotonic() - begun))
    if pdf is not None and latex is not None:
        try:
            artefact = finish_latexmk(pdf, *latex)
            results.append(Built(pdf, artefact, "", time.monotonic() - started))
        except BuildError as exc:
            results.append(Built(pdf, None, str(exc), time.monotonic() - started))
    return results


def run(the_plan: Plan, jobs: int = 0) -> list[Built]:
    """Every stale edition of the plan. One worker process per language, forked from a fork
    server that was started with the settings of build_env() (so PYTHONHASHSEED holds from
    the start) and has imported Sphinx, MyST and the theme once for all the workers; within
    a worker, LaTeX runs beside the HTML and EPUB builds. On 2 cores this keeps both busy
    from the first second."""
    if not the_plan.todo:
        return []
    os.environ.update(build_env())
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    # As many workers as cores: a third would only make the LaTeX runs take turns.
    workers = max(1, min(jobs or os.cpu_count() or 1, len(the_plan.todo)))
    built: list[Built] = []
    # A fresh process for every language: Sphinx caches the catalogs it loaded per process
    # (sphinx.locale.translators), so a second language built in the same process would
    # come out in the first one's words.
    with ProcessPoolExecutor(workers, mp_context=context, max_tasks_per_child=1) as pool:
        for results in pool.map(build_language, the_plan.todo.values()):
            for result in results:
                if not result.error:
                    print(f"build: {result.edition.name:10} {result.seconds:6.1f} s  built")
            built += results
    return built


# -- Publish -----------------------------------------------------------------------------------


@dataclass
class Report:
    published: list[Edition] = field(default_factory=list)
    site_pages: bool = False
    failed: dict[str, list[str]] = field(default_factory=dict)


def write_checksums() -> None:
    """SHA256SUMS beside the downloads, in the format `sha256sum -c` reads."""
    downloads = sorted(
        p for p in layout.DOWNLOADS.glob(f"{editions.SLUG}-*") if p.suffix in (".epub", ".pdf")
    )
    lines = [f"{files.file_digest(p)}  {p.name}\n" for p in downloads]
    files.write_atomically(layout.DOWNLOADS / "SHA256SUMS", "".join(lines))


def publish(the_plan: Plan, built: list[Built]) -> Report:
    """A language's editions are published whole or not at all; what was published before
    stays where anything failed."""
    failed: dict[str, list[str]] = defaultdict(list)
    failed.update({tag: list(errors) for tag, errors in the_plan.refused.items()})
    for result in built:
        if result.error:
            failed[result.edition.language.tag].append(result.error)
    report = Report(failed=dict(failed))
    for result in built:
        edition = result.edition
        if result.error or edition.language.tag in failed or result.artefact is None:
            continue
        if edition.fmt == "html":
            files.replace_tree(result.artefact, edition.published, (".buildinfo*", ".doctrees"))
        else:
            files.copy_atomically(result.artefact, edition.published)
        stamp(edition).write(the_plan.digests[edition.language.tag])
        report.published.append(edition)
        print(f"build: {edition.name:10} published {layout.relative(edition.published)}")
    if any(e.fmt != "html" for e in report.published):
        write_checksums()
    if any(e.fmt == "html" for e in report.published):
        site_pages.write(layout.SITE)
        report.site_pages = True
    return report


# -- Report ------------------------------------------------------------------------------------


def report(the_plan: Plan, result: Report) -> int:
    for tag, current in the_plan.current.items():
        print(f"build: {tag:10} up to date ({', '.join(e.fmt for e in current)})")
    if result.site_pages:
        pages_written = "index.html, translation-status.html, review/"
        print(f"build: site       published {layout.relative(layout.SITE)}/{pages_written}")
    for tag, errors in result.failed.items():
        for error in errors:
            print(f"build: FAILED {error}", file=sys.stderr)
        print(
            f"build: {tag}: nothing published; what was published before is unchanged",
            file=sys.stderr,
        )
    return 1 if result.failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # No `choices=`: the argparse of Python 3.11 rejects an empty list against them.
    parser.add_argument("formats", nargs="*", metavar="FORMAT", help="html, epub, pdf or all")
    parser.add_argument("--lang", action="append", dest="langs", metavar="TAG")
    parser.add_argument(
        "--jobs", type=int, default=0, help="worker processes (default: one per language)"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.formats) - {*editions.FORMATS, "all"})
    if unknown:
        parser.error(f"unknown format {', '.join(unknown)}; choose from html, epub, pdf, all")
    formats = tuple(
        f
        for f in editions.FORMATS
        if not args.formats or "all" in args.formats or f in args.formats
    )
    sys.stdout.reconfigure(line_buffering=True)  # progress lines as they happen
    try:
        the_plan = plan(formats, args.langs)
    except languages.LanguageError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 2
    except PlanError as exc:
        print(f"build: FAILED {exc}", file=sys.stderr)
        print("build: nothing published; what was published before is unchanged", file=sys.stderr)
        return 1
    built = run(the_plan, args.jobs)
    return report(the_plan, publish(the_plan, built))


if __name__ == "__main__":
    sys.exit(main())
